//! The `flask-app` plugin: a Flask REST API served by gunicorn, in a Compose project. It ships
//! the application (`files/app.py`: items from PostgreSQL, cached in Redis, Prometheus
//! metrics at `/metrics`) and builds it into an image with a multi-stage Dockerfile that ends
//! as a non-root user. The database and the cache come from references; their passwords are
//! secrets the container reads from its environment, so no credential is in any file.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::Config;

pub struct FlaskApp;

impl Plugin for FlaskApp {
    type Config = Config;

    const NAME: &'static str = "flask-app";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "a Flask REST API under gunicorn, built as a non-root image (Compose)";

    fn templates() -> &'static stackc_plugin_sdk::Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("http", config.port, "/api", EndpointRole::Service),
                Endpoint::http("metrics", config.port, "/metrics", EndpointRole::Metrics),
            ],
            facts: Vec::new(),
        })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(FlaskApp);
