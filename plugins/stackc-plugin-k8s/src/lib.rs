//! The `k8s` plugin: one application service as plain Kubernetes objects: a Deployment or a
//! StatefulSet (with volume claim templates), its Service, a ConfigMap of config files,
//! environment from stack secrets through a Kubernetes Secret, an Ingress, a
//! HorizontalPodAutoscaler and a ServiceAccount with an optional Role.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Exports, Plugin, RenderContext, Templates, register_plugin};

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

    fn expose(config: &Config) -> Result<Exports, Vec<ConfigError>> {
        render::exports(config)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        render::render(config, context)
    }
}

register_plugin!(K8s);
