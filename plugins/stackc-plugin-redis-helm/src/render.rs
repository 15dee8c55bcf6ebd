//! From config to a Helm release of bitnami/redis: checks first (each problem a
//! [`ConfigError`] at its config path), then the values file from one template.

use serde::Serialize;
use stackc_plugin_sdk::kube::{
    STORAGE_UNITS, check_in_cluster, check_namespace, is_dns_label, is_dns_subdomain, is_quantity,
};
use stackc_plugin_sdk::{Artifact, ConfigError, HelmRelease, KubeSecret, RenderContext, Templates};

use crate::config::Config;

/// The chart, its repository and the version the values are written for.
pub const CHART: &str = "redis";
pub const REPOSITORY: &str = "oci://registry-1.docker.io/bitnamicharts";
pub const CHART_VERSION: &str = "23.1.1";

/// Ports the chart uses by default.
pub const REDIS_PORT: u16 = 6379;
pub const METRICS_PORT: u16 = 9121;

/// The key of the password in the Secret the plugin declares.
const PASSWORD_KEY: &str = "redis-password";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("values.yaml", include_str!("../templates/values.yaml.hbs"))]);

/// The Secret the chart reads the password from.
fn secret_name(service: &str) -> String {
    format!("{service}-auth")
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let values = TEMPLATES.render("values.yaml", &Values::new(config, context));
    let password = vec![(PASSWORD_KEY.to_owned(), config.password.name.clone())];
    vec![
        KubeSecret::new(secret_name(service), &config.namespace, password).into(),
        HelmRelease::new(service, CHART, REPOSITORY, CHART_VERSION, &config.namespace, values).into(),
    ]
}

/// Everything the chart would refuse or silently misread.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
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
    errors.extend(check_in_cluster(context, "a Helm release runs"));
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
