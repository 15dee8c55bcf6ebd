//! The `redis` plugin: a standalone Redis 7 server in the stack's Compose project, its data
//! in a volume (append-only file and snapshots), its password in a secret.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::{Appendfsync, Config, MaxmemoryPolicy};

pub struct Redis;

impl Plugin for Redis {
    type Config = Config;

    const NAME: &'static str = "redis";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Redis 7 in Compose: a standalone server with a password and an append-only file";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// The server: `redis`, 6379.
    fn expose(_: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let endpoints = vec![Endpoint::tcp("redis", render::PORT, "redis", EndpointRole::Service)];
        Ok(Exports { endpoints, facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Redis);
