//! The `admins` plugin: the people who administer the hosts of the service. Each gets a login
//! account with their SSH public keys and no password, sudo comes from membership of one
//! group, and the SSH server takes keys only. No private key or password is ever part of the
//! stack or the bundle.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, register_plugin};

pub use config::Config;

pub struct Admins;

impl Plugin for Admins {
    type Config = Config;

    const NAME: &'static str = "admins";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "administrators' accounts with SSH keys, sudo by group, key-only SSH";

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, _: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config))
    }
}

register_plugin!(Admins);
