//! The `redis-helm` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::SecretRef;

/// One Helm release of bitnami/redis per service; the release is named after the service.
///
/// ```kdl
/// service "redis" plugin="redis-helm" {
///     namespace "data"
///     nodes 3
///     databases 16
///     password (secret)"redis-password"
///     persistence #true
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of the release.
    pub namespace: String,
    /// Redis nodes in all: one master and `nodes - 1` replicas; 1 is a standalone server.
    #[serde(default = "default_nodes")]
    pub nodes: i64,
    /// Number of logical databases (`databases` in redis.conf).
    #[serde(default = "default_databases")]
    pub databases: i64,
    /// The password clients and replicas use. The plugin declares a Kubernetes Secret
    /// `<service>-auth` filled from this stack secret at deploy time; the chart reads it.
    pub password: SecretRef,
    /// Keep data on persistent volumes (one claim per node); without it data lives in an
    /// `emptyDir` and is lost when a pod moves.
    #[serde(default)]
    pub persistence: bool,
    /// Size of each node's volume, with `persistence`.
    #[serde(default = "default_volume_size")]
    pub volume_size: String,
    /// Storage class of the volumes; the cluster's default class when absent.
    pub storage_class: Option<String>,
    /// A Prometheus exporter (redis_exporter) beside every node, exported as `metrics`.
    #[serde(default = "default_true")]
    pub metrics: bool,
}

fn default_nodes() -> i64 {
    3
}

fn default_databases() -> i64 {
    16
}

fn default_volume_size() -> String {
    "8Gi".to_owned()
}

fn default_true() -> bool {
    true
}
