//! The `rabbitmq` plugin: a RabbitMQ broker as a container of the stack's Compose project,
//! running the official image as its `rabbitmq` user with a generated `rabbitmq.conf` and
//! `enabled_plugins` (management and Prometheus metrics), its data in a volume, and one
//! application user whose password comes from a stack secret when the node first starts.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct RabbitMq;

impl Plugin for RabbitMq {
    type Config = Config;

    const NAME: &'static str = "rabbitmq";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "RabbitMQ message broker in a Compose project";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// AMQP for clients, the management API and UI, and the Prometheus metrics of the
    /// `rabbitmq_prometheus` plugin.
    fn expose(_config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let endpoints = vec![
            Endpoint::tcp("amqp", render::AMQP_PORT, "amqp", EndpointRole::Service),
            Endpoint::http("management", render::MANAGEMENT_PORT, "/", EndpointRole::Status),
            Endpoint::http("metrics", render::METRICS_PORT, "/metrics", EndpointRole::Metrics),
        ];
        Ok(Exports { endpoints, facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(RabbitMq);
