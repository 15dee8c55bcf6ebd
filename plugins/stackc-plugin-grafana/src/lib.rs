//! The `grafana` plugin: Grafana from Grafana's own APT repository (Debian has no package),
//! a Prometheus datasource provisioned from a reference such as `(ref)"prometheus.http"`, and
//! a provisioned host dashboard (load, CPU, memory, network per host from node-exporter).

mod config;
mod dashboard;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Grafana;

impl Plugin for Grafana {
    type Config = Config;

    const NAME: &'static str = "grafana";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Grafana with a provisioned Prometheus datasource and host dashboard";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("http", config.port(), "/", EndpointRole::Service),
                Endpoint::http("metrics", config.port(), "/metrics", EndpointRole::Metrics),
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

register_plugin!(Grafana);
