//! The `prometheus-helm` plugin: Prometheus from the prometheus-community/prometheus Helm
//! chart, with its version, retention and storage from the stack, and scrape jobs derived
//! from references to other services' `metrics` endpoints.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;
pub use render::{APP_VERSION, CHART, CHART_VERSION, REPOSITORY};

pub struct PrometheusHelm;

impl Plugin for PrometheusHelm {
    type Config = Config;

    const NAME: &'static str = "prometheus-helm";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus from the prometheus-community/prometheus Helm chart";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// `http`: the server's web UI and API, on its Service `<service>-server`.
    fn expose(config: &Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let server = format!("{}-server", context.service);
        let http = Endpoint::http("http", render::SERVER_PORT, "/", EndpointRole::Service).in_cluster(
            &config.namespace,
            &server,
            "http",
        );
        Ok(Exports { endpoints: vec![http], facts: Vec::new() })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(PrometheusHelm);
