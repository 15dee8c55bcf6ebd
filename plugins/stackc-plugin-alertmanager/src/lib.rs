//! The `alertmanager` plugin: Debian's `prometheus-alertmanager` with one route and one
//! receiver (a webhook and/or an e-mail address; no credentials), listening on the host's own
//! address with cluster gossip off (its default would bind 0.0.0.0:9094).

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Alertmanager;

impl Plugin for Alertmanager {
    type Config = Config;

    const NAME: &'static str = "alertmanager";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus Alertmanager with one route and receiver";

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

    fn check(config: &Config, _: &RenderContext) -> Vec<ConfigError> {
        render::check(config)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Alertmanager);
