//! The `keepalived` plugin: a VRRP virtual IP shared by the hosts of the service (two or
//! more load balancers), held by the first host while its load balancer process runs and
//! moved to the next when it stops or the host is lost.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;

pub struct Keepalived;

impl Plugin for Keepalived {
    type Config = Config;

    const NAME: &'static str = "keepalived";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "keepalived VRRP virtual IP shared by load balancers";

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

register_plugin!(Keepalived);
