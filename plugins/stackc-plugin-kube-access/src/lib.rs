//! The `kube-access` plugin: who may do what in one Kubernetes namespace. Service accounts
//! (a pipeline's deploy account, say) get a Role of their own rules; groups of people, as the
//! cluster's authenticator names them, get one of Kubernetes's built-in roles (`view`, `edit`,
//! `admin`) in the namespace only. Nothing is granted cluster-wide.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;

pub struct KubeAccess;

impl Plugin for KubeAccess {
    type Config = Config;

    const NAME: &'static str = "kube-access";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str =
        "RBAC in a Kubernetes namespace: service accounts with their rules, groups with built-in roles";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(KubeAccess);
