//! The `exporter` plugin: the upstream Prometheus exporter of a PostgreSQL or Redis server, as
//! a container of a Compose project beside it. The server comes from a reference, its password
//! from a secret the container reads from its environment; Prometheus finds the exporter by
//! its `metrics` endpoint.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::Config;

pub struct Exporter;

impl Plugin for Exporter {
    type Config = Config;

    const NAME: &'static str = "exporter";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "the Prometheus exporter of a PostgreSQL or Redis server (Compose)";

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let kind = render::kind(config).map_err(|e| vec![e])?;
        Ok(Exports {
            endpoints: vec![Endpoint::http("metrics", kind.port(), "/metrics", EndpointRole::Metrics)],
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

register_plugin!(Exporter);
