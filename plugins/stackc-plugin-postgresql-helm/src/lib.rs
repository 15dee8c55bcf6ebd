//! The `postgresql-helm` plugin: PostgreSQL from the bitnami/postgresql Helm chart, as a
//! StatefulSet with a volume per server (volumeClaimTemplates), optionally with streaming read
//! replicas, its passwords in a Kubernetes Secret filled from stack secrets and a Prometheus
//! exporter beside every server.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;
pub use render::{CHART, CHART_VERSION, REPOSITORY};

pub struct PostgresqlHelm;

impl Plugin for PostgresqlHelm {
    type Config = Config;

    const NAME: &'static str = "postgresql-helm";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "PostgreSQL StatefulSet (+ read replicas) from the bitnami/postgresql Helm chart";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// `client` (PostgreSQL protocol on the primary) and, with `metrics`, `metrics` (the
    /// exporter).
    ///
    /// In the cluster the chart names its Services after the release (the service name):
    /// `<service>` for clients of the primary, `<service>-hl` headless, `<service>-read` for
    /// the read replicas and `<service>-metrics` for the primary's exporter; the passwords are
    /// keys of Secret `<service>-auth`.
    fn expose(config: &Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        // The primary's Service is named after the release, whatever the architecture (the
        // values set no suffix), its exporters' Service `<release>-metrics`.
        let release = &context.service;
        let mut endpoints =
            vec![Endpoint::tcp("client", render::POSTGRESQL_PORT, "postgresql", EndpointRole::Service).in_cluster(
                &config.namespace,
                release,
                "tcp-postgresql",
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

register_plugin!(PostgresqlHelm);
