//! The `ingress-nginx` plugin: the ingress-nginx controller from its Helm chart, highly
//! available (replicas on different nodes, a PodDisruptionBudget) behind a Service of type
//! LoadBalancer whose address MetalLB hands out, with its metrics on for Prometheus.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
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
    fn expose(config: &Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        // The chart names the controller's Services after the release (`fullnameOverride`).
        let controller = format!("{}-controller", context.service);
        let metrics = format!("{controller}-metrics");
        let namespace = &config.namespace;
        let endpoints = vec![
            Endpoint::http("http", render::HTTP_PORT, "/", EndpointRole::Service).in_cluster(
                namespace,
                &controller,
                "http",
            ),
            Endpoint {
                protocol: "https".to_owned(),
                ..Endpoint::http("https", render::HTTPS_PORT, "/", EndpointRole::Service)
            }
            .in_cluster(namespace, &controller, "https"),
            Endpoint::http("metrics", render::METRICS_PORT, "/metrics", EndpointRole::Metrics)
                .in_cluster(namespace, &metrics, "metrics"),
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
