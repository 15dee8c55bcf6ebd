//! The `prometheus-helm` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, one_or_many};

/// One Helm release of prometheus-community/prometheus per service, named after the service.
///
/// ```kdl
/// service "prometheus" plugin="prometheus-helm" {
///     namespace "monitoring"
///     version "v3.14.0"
///     retention-days 15
///     scrape "redis" {
///         metrics (ref)"redis.metrics"
///     }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of the release.
    pub namespace: String,
    /// Prometheus version: the server image tag (`v3.14.0`; a missing `v` is added). The
    /// chart's own Prometheus version when absent.
    pub version: Option<String>,
    /// Days of metrics to keep.
    #[serde(default = "default_retention")]
    pub retention_days: i64,
    /// Keep the time series database on a persistent volume; an `emptyDir` otherwise.
    #[serde(default = "default_true")]
    pub persistence: bool,
    /// Size of the volume, with `persistence`.
    #[serde(default = "default_volume_size")]
    pub volume_size: String,
    /// Install the chart's Alertmanager (the chart's default when absent).
    pub alertmanager: Option<bool>,
    /// Install the chart's Pushgateway (the chart's default when absent).
    pub pushgateway: Option<bool>,
    /// Install the chart's node exporter DaemonSet (the chart's default when absent).
    pub node_exporter: Option<bool>,
    /// Install the chart's kube-state-metrics (the chart's default when absent).
    pub kube_state_metrics: Option<bool>,
    /// Scrape jobs by job name.
    #[serde(default)]
    pub scrape: BTreeMap<String, Scrape>,
    /// Alert on critical events: a target of a scrape job down for 2 minutes and, unless
    /// kube-state-metrics is off, pods restarting over and over, Deployments and StatefulSets
    /// short of ready replicas, nodes not ready and volumes nearly full. Off by default.
    #[serde(default)]
    pub alerts: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Scrape {
    /// The metrics endpoints to scrape, as references (`(ref)"redis.metrics"`): never
    /// written-out addresses.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub metrics: Vec<Ref>,
    /// Scrape interval; the chart's global one (1m) by default.
    pub interval: Option<String>,
}

fn default_retention() -> i64 {
    15
}

fn default_true() -> bool {
    true
}

fn default_volume_size() -> String {
    "8Gi".to_owned()
}
