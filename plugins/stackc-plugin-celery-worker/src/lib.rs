//! The `celery-worker` plugin: a Celery worker, built as an image of the service (a
//! multi-stage Dockerfile, pinned requirements, a non-root user), that logs every message it
//! receives with its raw body. RabbitMQ is its broker, reached through a `(ref)`; the broker
//! password comes from a stack secret, and the broker URL is built by the worker at start,
//! never written to a file.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct CeleryWorker;

impl Plugin for CeleryWorker {
    type Config = Config;

    const NAME: &'static str = "celery-worker";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Celery worker that logs every message it receives, in a Compose project";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// The worker's Prometheus metrics, unless turned off.
    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let mut endpoints = Vec::new();
        if config.metrics_port != 0 {
            endpoints.push(Endpoint::http("metrics", config.metrics_port, "/metrics", EndpointRole::Metrics));
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

register_plugin!(CeleryWorker);
