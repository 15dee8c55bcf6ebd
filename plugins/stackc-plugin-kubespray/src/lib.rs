//! The `kubespray` plugin: the Kubernetes cluster on a stack's hosts, as the inventory and
//! group variables Kubespray's `cluster.yml` playbook deploys it from. Which hosts run the
//! control plane, etcd and workloads comes from the config, by group or host name; the
//! variables are those the cluster's other services rely on (MetalLB in L2 mode, metrics for
//! autoscaling), with the add-ons stackc deploys as Helm releases left off.

mod config;
mod render;
mod roles;
mod yaml;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;

pub struct Kubespray;

impl Plugin for Kubespray {
    type Config = Config;

    const NAME: &'static str = "kubespray";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Kubespray inventory and group_vars for a highly available cluster on the hosts";

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

register_plugin!(Kubespray);
