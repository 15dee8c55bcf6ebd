//! The `postgresql-helm` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::SecretRef;

/// One Helm release of bitnami/postgresql per service, named after the service: a StatefulSet
/// whose volumes come from volumeClaimTemplates, behind Service `<service>`.
///
/// ```kdl
/// service "db" plugin="postgresql-helm" {
///     namespace "tasks"
///     database "tasks"
///     user "tasks"
///     password (secret)"db-password"
///     admin-password (secret)"db-admin-password"
///     volume-size "20Gi"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of the release.
    pub namespace: String,
    /// The database created on first start, owned by `user`.
    pub database: String,
    /// The role applications log in as (not `postgres`, which is the administrator).
    pub user: String,
    /// Password of `user`: key `password` of Secret `<service>-auth`, which the deployment
    /// fills from this stack secret.
    pub password: SecretRef,
    /// Password of the `postgres` administrator (key `postgres-password`); the metrics
    /// exporter logs in with it too.
    pub admin_password: SecretRef,
    /// `standalone` (one primary) or `replication` (a primary and `read-replicas` streaming
    /// replicas behind Service `<service>-read`).
    #[serde(default)]
    pub architecture: Architecture,
    /// Read replicas, with `architecture "replication"`.
    #[serde(default = "default_read_replicas")]
    pub read_replicas: i64,
    /// Password of the replication role (key `replication-password`); required with
    /// `architecture "replication"`.
    pub replication_password: Option<SecretRef>,
    /// Size of each server's volume (one claim per pod, from the StatefulSet's
    /// volumeClaimTemplates).
    #[serde(default = "default_volume_size")]
    pub volume_size: String,
    /// Storage class of the volumes; the cluster's default class when absent.
    pub storage_class: Option<String>,
    /// CPU and memory each server asks for; the chart's smallest preset when absent.
    pub resources: Option<Resources>,
    /// A Prometheus exporter (postgres_exporter) beside every server, exported as `metrics`
    /// behind Service `<service>-metrics`.
    #[serde(default = "default_true")]
    pub metrics: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    #[default]
    Standalone,
    Replication,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resources {
    /// CPU request, e.g. `250m`.
    pub cpu: Option<String>,
    /// Memory request and limit, e.g. `512Mi`.
    pub memory: Option<String>,
}

fn default_read_replicas() -> i64 {
    1
}

fn default_volume_size() -> String {
    "8Gi".to_owned()
}

fn default_true() -> bool {
    true
}
