//! The `app` plugin: an application shipped from the stack's own sources (`source
//! (file)"DIR"`). On hosts it runs under systemd as a user of its own, from `/opt/<service>/`;
//! in a Compose project it runs as a container built from a multi-stage Dockerfile that ends as
//! an unprivileged user. Either way the bundle carries the image's build context (`image/`),
//! so that a pipeline can build and push the image, and, with `pipeline`, a GitLab CI
//! pipeline that does, then deploys the stack; credentials stay CI variables.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::{Config, Pipeline, Runtime};

pub struct App;

impl Plugin for App {
    type Config = Config;

    const NAME: &'static str = "app";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "a Node.js application from the stack's sources, on hosts or in a Compose project";

    fn templates() -> &'static stackc_plugin_sdk::Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let mut endpoints = vec![Endpoint::http("http", config.port, "/", EndpointRole::Service)];
        if let Some(path) = &config.metrics {
            endpoints.push(Endpoint::http("metrics", config.port, path, EndpointRole::Metrics));
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

register_plugin!(App);
