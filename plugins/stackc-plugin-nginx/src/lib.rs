//! The `nginx` plugin: static web servers, reverse proxies with upstream keepalive, and TLS
//! termination, laid out the way Debian's nginx package expects; optionally Debian's
//! Prometheus exporter of its status page.

mod config;
mod exporter;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Nginx;

impl Plugin for Nginx {
    type Config = Config;

    const NAME: &'static str = "nginx";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "nginx web server, reverse proxy and TLS terminator";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// The main listener (`http` or `https`), the plain HTTP redirect listener, the status
    /// page, which is served on the main listener, and the exporter's `metrics`.
    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let scheme = config.scheme();
        let main = Endpoint::http(scheme, config.port(), "/", EndpointRole::Service);
        let mut endpoints = vec![Endpoint { protocol: scheme.to_owned(), ..main }];
        if let Some(redirect) = config.tls.as_ref().and_then(|t| t.redirect_from) {
            endpoints.push(Endpoint::http("http", redirect, "/", EndpointRole::Service));
        }
        if let Some(status) = &config.status {
            let status = Endpoint::http("status", config.port(), &status.path, EndpointRole::Status);
            endpoints.push(Endpoint { protocol: scheme.to_owned(), ..status });
        }
        if let Some(metrics) = &config.metrics {
            endpoints.push(Endpoint::http("metrics", metrics.port, "/metrics", EndpointRole::Metrics));
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

register_plugin!(Nginx);
