//! The `redis-helm` plugin: Redis from the bitnami/redis Helm chart, as one master and
//! `nodes - 1` replicas (or a standalone server), with its password in a Kubernetes Secret
//! filled from a stack secret and a Prometheus exporter beside every node.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Exports, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;
pub use render::{CHART, CHART_VERSION, REPOSITORY};

pub struct RedisHelm;

impl Plugin for RedisHelm {
    type Config = Config;

    const NAME: &'static str = "redis-helm";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Redis master + replicas from the bitnami/redis Helm chart";

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

register_plugin!(RedisHelm);
