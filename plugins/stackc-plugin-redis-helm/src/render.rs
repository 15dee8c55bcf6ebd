//! From config to a Helm release of bitnami/redis: checks first (each problem a
//! [`ConfigError`] at its config path), then the values file from one template.

use stackc_plugin_sdk::kube::{STORAGE_UNITS, is_dns_label, is_dns_subdomain, is_quantity};
use stackc_plugin_sdk::serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, HelmRelease, KubeSecret, RenderContext, Templates,
};

use crate::config::Config;

/// The chart, its repository and the version the values are written for.
pub const CHART: &str = "redis";
pub const REPOSITORY: &str = "oci://registry-1.docker.io/bitnamicharts";
pub const CHART_VERSION: &str = "23.1.1";

/// Ports the chart uses by default.
const REDIS_PORT: u16 = 6379;
const METRICS_PORT: u16 = 9121;

/// The key of the password in the Secret the plugin declares.
const PASSWORD_KEY: &str = "redis-password";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("values.yaml", include_str!("../templates/values.yaml.hbs"))]);

/// `client` (Redis protocol on the master) and, with `metrics`, `metrics` (the exporter).
///
/// In the cluster the chart names its Services after the release (the service name):
/// `<service>-master` for clients, `<service>-headless` for every node and
/// `<service>-metrics` for the exporters; the password is key `redis-password` of Secret
/// `<service>-auth`.
pub fn exports(config: &Config) -> Result<Exports, Vec<ConfigError>> {
    let mut endpoints = vec![Endpoint::tcp("client", REDIS_PORT, "redis", EndpointRole::Service)];
    if config.metrics {
        endpoints.push(Endpoint::http("metrics", METRICS_PORT, "/metrics", EndpointRole::Metrics));
    }
    Ok(Exports { endpoints, facts: Vec::new() })
}

/// The Secret the chart reads the password from.
fn secret_name(service: &str) -> String {
    format!("{service}-auth")
}

pub fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
    let errors = check(config, context);
    if !errors.is_empty() {
        return Err(errors);
    }
    let service = &context.service;
    let values = Values::new(config, context);
    let mut artifacts = vec![Artifact::KubeSecret(KubeSecret {
        name: secret_name(service),
        namespace: config.namespace.clone(),
        entries: vec![(PASSWORD_KEY.to_owned(), config.password.name.clone())],
    })];
    artifacts.push(Artifact::HelmRelease(HelmRelease {
        name: service.clone(),
        chart: CHART.to_owned(),
        repository: REPOSITORY.to_owned(),
        version: CHART_VERSION.to_owned(),
        namespace: config.namespace.clone(),
        values: TEMPLATES.render("values.yaml", &values),
    }));
    Ok(artifacts)
}

/// Everything the chart would refuse or silently misread.
fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if !is_dns_label(&config.namespace) {
        errors.push(
            ConfigError::at(&["namespace"], format!("`{}` is not a Kubernetes namespace name", config.namespace))
                .with_help(
                    "use at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit",
                ),
        );
    }
    // The release name prefixes every object name, e.g. `<service>-replicas-0`.
    if !is_dns_label(&context.service) || context.service.len() > 40 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name a Helm release of Redis", context.service))
                .with_help("name the service with at most 40 lower-case letters, digits and `-`"),
        );
    }
    if config.nodes < 1 {
        errors.push(
            ConfigError::at(&["nodes"], format!("a Redis deployment needs at least one node, not {}", config.nodes))
                .with_help("1 is a standalone server; 3 is one master and two replicas"),
        );
    }
    if config.databases < 1 {
        errors.push(
            ConfigError::at(&["databases"], format!("Redis needs at least one database, not {}", config.databases))
                .with_help("Redis's own default is 16"),
        );
    }
    if !context.hosts.is_empty() {
        errors.push(
            ConfigError::service("a Helm release runs in the cluster, not on hosts")
                .with_help("remove `on=` from the service"),
        );
    }
    if config.persistence && !is_quantity(&config.volume_size, &STORAGE_UNITS) {
        errors.push(
            ConfigError::at(&["volume-size"], format!("`{}` is not a storage size", config.volume_size))
                .with_help("write a Kubernetes quantity such as `8Gi` or `500Mi`"),
        );
    }
    if let Some(class) = &config.storage_class
        && !is_dns_subdomain(class)
    {
        errors.push(ConfigError::at(&["storage-class"], format!("`{class}` is not a storage class name")));
    }
    errors
}

/// Template data for `values.yaml`.
#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
struct Values {
    stack: String,
    release: String,
    chart_version: &'static str,
    layout: String,
    replication: bool,
    replicas: i64,
    databases: i64,
    secret: String,
    password_key: &'static str,
    persistence: bool,
    volume_size: String,
    storage_class: Option<String>,
    metrics: bool,
}

impl Values {
    fn new(config: &Config, context: &RenderContext) -> Self {
        Values {
            stack: context.stack.clone(),
            release: context.service.clone(),
            chart_version: CHART_VERSION,
            layout: match config.nodes {
                1 => "one node: a standalone server".to_owned(),
                2 => "2 nodes: one master and one replica".to_owned(),
                n => format!("{n} nodes: one master and {} replicas", n - 1),
            },
            replication: config.nodes > 1,
            replicas: config.nodes - 1,
            databases: config.databases,
            secret: secret_name(&context.service),
            password_key: PASSWORD_KEY,
            persistence: config.persistence,
            volume_size: config.volume_size.clone(),
            storage_class: config.storage_class.clone(),
            metrics: config.metrics,
        }
    }
}
