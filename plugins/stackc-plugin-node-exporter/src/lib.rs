//! The `node-exporter` plugin: Debian's `prometheus-node-exporter` on every host of the
//! service, listening on the host's own address, exported as a `metrics` endpoint that a
//! `prometheus` service turns into a scrape job.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::Config;

pub struct NodeExporter;

impl Plugin for NodeExporter {
    type Config = Config;

    const NAME: &'static str = "node-exporter";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus node exporter (host metrics) on every host";

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![Endpoint::http("metrics", config.port(), "/metrics", EndpointRole::Metrics)],
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

register_plugin!(NodeExporter);
