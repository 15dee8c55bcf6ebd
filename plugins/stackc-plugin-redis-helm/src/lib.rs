//! The `redis-helm` plugin: Redis from the bitnami/redis Helm chart, as one master and
//! `nodes - 1` replicas (or a standalone server), with its password in a Kubernetes Secret
//! filled from a stack secret and a Prometheus exporter beside every node.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

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

    /// `client` (Redis protocol on the master) and, with `metrics`, `metrics` (the exporter).
    ///
    /// In the cluster the chart names its Services after the release (the service name):
    /// `<service>-master` for clients, `<service>-headless` for every node and
    /// `<service>-metrics` for the exporters; the password is key `redis-password` of Secret
    /// `<service>-auth`.
    fn expose(config: &Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let release = &context.service;
        let mut endpoints =
            vec![Endpoint::tcp("client", render::REDIS_PORT, "redis", EndpointRole::Service).in_cluster(
                &config.namespace,
                &format!("{release}-master"),
                "tcp-redis",
            )];
        if config.metrics {
            endpoints.push(
                Endpoint::http("metrics", render::METRICS_PORT, "/metrics", EndpointRole::Metrics).in_cluster(
                    &config.namespace,
                    &format!("{release}-metrics"),
                    "http-metrics",
                ),
            );
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

register_plugin!(RedisHelm);
