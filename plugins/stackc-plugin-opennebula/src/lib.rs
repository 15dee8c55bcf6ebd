//! The `opennebula` plugin: the virtual machines a stack's hosts run on, as a Terraform
//! configuration for the OpenNebula provider. Each host of the service becomes one VM with the
//! host's address on its NIC, sized by the first of its groups that has a `size`; `terraform
//! apply` creates them before anything is deployed to them.

mod config;
mod hcl;
mod render;
mod size;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;

pub struct OpenNebula;

impl Plugin for OpenNebula {
    type Config = Config;

    const NAME: &'static str = "opennebula";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "OpenNebula virtual machines for the service's hosts, as Terraform";

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

register_plugin!(OpenNebula);
