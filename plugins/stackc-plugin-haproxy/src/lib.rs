//! The `haproxy` plugin: an HTTP load balancer on hosts, laid out the way Debian's haproxy
//! package expects. Backends take their servers from references to other services'
//! endpoints; active health checks, retries with redispatch and short timeouts keep a lost
//! server from failing requests; the runtime API socket drains servers; the built-in
//! Prometheus exporter serves metrics.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Haproxy;

impl Plugin for Haproxy {
    type Config = Config;

    const NAME: &'static str = "haproxy";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "HAProxy HTTP load balancer with health checks, retries and metrics";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// One HTTP endpoint per frontend, named after it, and `metrics`: the Prometheus
    /// exporter. (A frontend that takes the exporter's name is left out; `check` reports it.)
    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let mut endpoints: Vec<Endpoint> = config
            .frontend
            .iter()
            .filter(|(name, _)| name.as_str() != render::METRICS)
            .map(|(name, frontend)| Endpoint::http(name, frontend.port, "/", EndpointRole::Service))
            .collect();
        endpoints.push(Endpoint::http(
            render::METRICS,
            config.metrics.port,
            &config.metrics.path,
            EndpointRole::Metrics,
        ));
        Ok(Exports { endpoints, facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Haproxy);
