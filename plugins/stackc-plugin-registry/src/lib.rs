//! The `registry` plugin: a private image registry, Debian's `docker-registry` (the CNCF
//! Distribution registry), on every host of the service: images stored on the host's disk,
//! pushes and pulls by the users of an htpasswd file that the deployment fills from a stack
//! secret, TLS with a certificate from the stack and a key from a secret, and Prometheus
//! metrics on a port of their own. It exports `http` (the registry API; `https` with TLS)
//! and, with `metrics-port`, `metrics`.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Registry;

impl Plugin for Registry {
    type Config = Config;

    const NAME: &'static str = "registry";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "a private Docker image registry (Debian docker-registry) on hosts";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        let mut endpoints = vec![Endpoint {
            protocol: scheme.to_owned(),
            ..Endpoint::http("http", config.port, "/v2/", EndpointRole::Service)
        }];
        if let Some(port) = config.metrics_port {
            endpoints.push(Endpoint::http("metrics", port, "/metrics", EndpointRole::Metrics));
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

register_plugin!(Registry);
