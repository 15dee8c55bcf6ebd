//! The `blackbox` plugin: Debian's `prometheus-blackbox-exporter` on every host of the
//! service, with one HTTP module (`http_2xx`) whose timeout keeps probes within the time an
//! answer may take. It exports `probe`, the endpoint Prometheus sends probes through (a
//! `prometheus` service's `probe { via (ref)"blackbox.probe" }`), and `metrics`, the
//! exporter's own metrics, which Prometheus scrapes like any other.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;
pub use render::MODULE;

pub struct Blackbox;

impl Plugin for Blackbox {
    type Config = Config;

    const NAME: &'static str = "blackbox";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus blackbox exporter: HTTP probes of entry points";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("probe", config.port, "/probe", EndpointRole::Service),
                Endpoint::http("metrics", config.port, "/metrics", EndpointRole::Metrics),
            ],
            facts: Vec::new(),
        })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Blackbox);
