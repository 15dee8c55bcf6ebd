//! The `nginx-gateway` plugin: the TLS entry point of a Compose project. nginx, as an
//! unprivileged user, routes URL path prefixes to the services behind it and redirects plain
//! HTTP to HTTPS. Its image is built with a self-signed certificate for the server name (a
//! stack may mount its own over it, from secrets); the server config is a template whose
//! upstream addresses the image's entrypoint fills in from the container's environment, where
//! the references to the routed services put them.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::{Config, Route};
pub use render::{HTTP_PORT, HTTPS_PORT, IMAGE, TEMPLATE, TLS_DIR, USER, VARIABLE_PREFIX};

pub struct NginxGateway;

impl Plugin for NginxGateway {
    type Config = Config;

    const NAME: &'static str = "nginx-gateway";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "an nginx TLS gateway routing paths to services, self-signed by default (Compose)";

    fn templates() -> &'static stackc_plugin_sdk::Templates {
        &render::TEMPLATES
    }

    fn expose(_config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let mut https = Endpoint::http("https", HTTPS_PORT, "/", EndpointRole::Service);
        https.protocol = "https".to_owned();
        Ok(Exports {
            endpoints: vec![https, Endpoint::http("http", HTTP_PORT, "/", EndpointRole::Service)],
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

register_plugin!(NginxGateway);
