//! The `k8s` plugin: one application service as plain Kubernetes objects: a Deployment or a
//! StatefulSet (with volume claim templates and a headless Service), its Service (in the
//! cluster or on a MetalLB load balancer), ConfigMaps of config files and environment,
//! environment from stack secrets through a Kubernetes Secret, init containers, a non-root
//! security context, a PodDisruptionBudget, a NetworkPolicy, an Ingress, a
//! HorizontalPodAutoscaler and a ServiceAccount with an optional Role.

mod checks;
mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct K8s;

impl Plugin for K8s {
    type Config = Config;

    const NAME: &'static str = "k8s";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "an application as Kubernetes objects (workload, Service, Ingress, HPA, RBAC)";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// One endpoint per port, HTTP, named after the port (`metrics` has the metrics role),
    /// behind the port of the same name of the Service named after the service.
    fn expose(config: &Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let mut endpoints: Vec<Endpoint> = config
            .ports
            .iter()
            .map(|(name, &port)| {
                let role = if name == "metrics" { EndpointRole::Metrics } else { EndpointRole::Service };
                let path = if name == "metrics" { "/metrics" } else { "/" };
                Endpoint::http(name, u16::try_from(port).unwrap_or(0), path, role).in_cluster(
                    &config.namespace,
                    &context.service,
                    name,
                )
            })
            .collect();
        if let (Some(path), Some((name, &port))) = (&config.metrics, config.ports.iter().next()) {
            let metrics = Endpoint::http("metrics", u16::try_from(port).unwrap_or(0), path, EndpointRole::Metrics);
            endpoints.push(metrics.in_cluster(&config.namespace, &context.service, name));
        }
        Ok(Exports { endpoints, facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(K8s);
