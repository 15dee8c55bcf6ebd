//! From config to a Helm release of bitnami/postgresql: checks first (each problem a
//! [`ConfigError`] at its config path), then the values file from one template and the
//! Secret the chart reads its passwords from.

use serde::Serialize;
use stackc_plugin_sdk::kube::{
    self, STORAGE_UNITS, check_in_cluster, check_namespace, is_dns_label, is_dns_subdomain, is_quantity,
};
use stackc_plugin_sdk::{Artifact, ConfigError, HelmRelease, KubeSecret, RenderContext, Templates};

use crate::config::{Architecture, Config};

/// The chart, its repository and the version the values are written for.
pub const CHART: &str = "postgresql";
pub const REPOSITORY: &str = "oci://registry-1.docker.io/bitnamicharts";
pub const CHART_VERSION: &str = "17.1.0";

/// Ports the chart uses by default.
pub const POSTGRESQL_PORT: u16 = 5432;
pub const METRICS_PORT: u16 = 9187;

/// The keys the chart reads from `auth.existingSecret` (its `auth.secretKeys` defaults).
const ADMIN_PASSWORD_KEY: &str = "postgres-password";
const USER_PASSWORD_KEY: &str = "password";
const REPLICATION_PASSWORD_KEY: &str = "replication-password";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("values.yaml", include_str!("../templates/values.yaml.hbs"))]);

/// The Secret the chart reads the passwords from.
fn secret_name(service: &str) -> String {
    format!("{service}-auth")
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let values = TEMPLATES.render("values.yaml", &Values::new(config, context));
    let mut passwords = vec![
        (ADMIN_PASSWORD_KEY.to_owned(), config.admin_password.name.clone()),
        (USER_PASSWORD_KEY.to_owned(), config.password.name.clone()),
    ];
    if let Some(replication) = &config.replication_password {
        passwords.push((REPLICATION_PASSWORD_KEY.to_owned(), replication.name.clone()));
    }
    vec![
        KubeSecret::new(secret_name(service), &config.namespace, passwords).into(),
        HelmRelease::new(service, CHART, REPOSITORY, CHART_VERSION, &config.namespace, values).into(),
    ]
}

/// Everything the chart or PostgreSQL would refuse or silently misread.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    // The release name prefixes every object name, e.g. `<service>-read-0`, `<service>-metrics`.
    if !is_dns_label(&context.service) || context.service.len() > 40 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name a Helm release of PostgreSQL", context.service))
                .with_help("name the service with at most 40 lower-case letters, digits and `-`"),
        );
    }
    errors.extend(check_in_cluster(context, "a Helm release runs"));
    for (key, name, what) in [("database", &config.database, "database"), ("user", &config.user, "role")] {
        if !is_identifier(name) {
            errors.push(
                ConfigError::at(&[key], format!("`{name}` is not a PostgreSQL {what} name the chart can create"))
                    .with_help("use at most 63 lower-case letters, digits and `_`, starting with a letter or `_`"),
            );
        }
    }
    if config.user == "postgres" || config.user.starts_with("pg_") {
        errors.push(
            ConfigError::at(&["user"], format!("`{}` is reserved for PostgreSQL itself", config.user)).with_help(
                "name the application's own role, e.g. after its database; `postgres` logs in with `admin-password`",
            ),
        );
    }
    if config.password == config.admin_password {
        errors.push(
            ConfigError::at(&["admin-password"], "the administrator and the application share one password")
                .with_help("declare a secret of its own for `admin-password`"),
        );
    }
    match (config.architecture, &config.replication_password) {
        (Architecture::Replication, None) => errors.push(
            ConfigError::at(&["architecture"], "replication needs a password for the replication role")
                .with_help("add `replication-password (secret)\"…\"`"),
        ),
        (Architecture::Standalone, Some(_)) => errors.push(
            ConfigError::at(&["replication-password"], "a standalone server has no replication role")
                .with_help("remove it, or add `architecture \"replication\"`"),
        ),
        _ => {}
    }
    if config.architecture == Architecture::Replication && config.read_replicas < 1 {
        errors.push(
            ConfigError::at(
                &["read-replicas"],
                format!("replication needs at least one read replica, not {}", config.read_replicas),
            )
            .with_help("use `architecture \"standalone\"` for a single server"),
        );
    }
    if !is_quantity(&config.volume_size, &STORAGE_UNITS) {
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
    if let Some(resources) = &config.resources {
        errors.extend(kube::check_resources(resources.cpu.as_deref(), resources.memory.as_deref()));
    }
    errors
}

/// A name the chart's init script can create unquoted: a lower-case PostgreSQL identifier.
fn is_identifier(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Template data for `values.yaml`.
#[derive(Serialize)]
struct Values {
    stack: String,
    release: String,
    chart_version: &'static str,
    replication: bool,
    read_replicas: i64,
    database: String,
    user: String,
    secret: String,
    admin_password_key: &'static str,
    user_password_key: &'static str,
    replication_password_key: &'static str,
    volume_size: String,
    storage_class: Option<String>,
    resources: Option<ResourceValues>,
    metrics: bool,
}

#[derive(Serialize)]
struct ResourceValues {
    cpu: Option<String>,
    memory: Option<String>,
}

impl Values {
    fn new(config: &Config, context: &RenderContext) -> Self {
        Values {
            stack: context.stack.clone(),
            release: context.service.clone(),
            chart_version: CHART_VERSION,
            replication: config.architecture == Architecture::Replication,
            read_replicas: config.read_replicas,
            database: config.database.clone(),
            user: config.user.clone(),
            secret: secret_name(&context.service),
            admin_password_key: ADMIN_PASSWORD_KEY,
            user_password_key: USER_PASSWORD_KEY,
            replication_password_key: REPLICATION_PASSWORD_KEY,
            volume_size: config.volume_size.clone(),
            storage_class: config.storage_class.clone(),
            resources: config
                .resources
                .as_ref()
                .filter(|r| r.cpu.is_some() || r.memory.is_some())
                .map(|r| ResourceValues { cpu: r.cpu.clone(), memory: r.memory.clone() }),
            metrics: config.metrics,
        }
    }
}
