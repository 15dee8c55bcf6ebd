//! The `ingress-nginx` plugin: the ingress-nginx controller from its Helm chart, highly
//! available (replicas on different nodes, a PodDisruptionBudget) behind a Service of type
//! LoadBalancer whose address MetalLB hands out, with its metrics on for Prometheus.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, Plugin, RenderContext, Templates, register_plugin,
};

pub use config::Config;
pub use render::{CHART, CHART_VERSION, REPOSITORY};

pub struct IngressNginx;

impl Plugin for IngressNginx {
    type Config = Config;

    const NAME: &'static str = "ingress-nginx";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "ingress-nginx controller (HA, LoadBalancer Service) from its Helm chart";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// `http` and `https` (the LoadBalancer Service `<service>-controller`) and `metrics`
    /// (Service `<service>-controller-metrics`).
    fn expose(_config: &Config) -> Result<Exports, Vec<ConfigError>> {
        let endpoints = vec![
            Endpoint::http("http", render::HTTP_PORT, "/", EndpointRole::Service),
            Endpoint::http("https", render::HTTPS_PORT, "/", EndpointRole::Service),
            Endpoint::http("metrics", render::METRICS_PORT, "/metrics", EndpointRole::Metrics),
        ];
        Ok(Exports { endpoints, facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(IngressNginx);
