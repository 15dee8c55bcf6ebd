//! The `prometheus` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, one_or_many};

/// ```kdl
/// service "prometheus" plugin="prometheus" on="mon1" {
///     retention "15d"
///     alertmanager (ref)"alertmanager.http"
///     high-load 1.5
///     probe "api" {
///         via (ref)"blackbox.probe"
///         targets (ref)"lb.api"
///         paths "/" "/кільце-кільце"
///         slower-than "2s"
///     }
///     balancers (ref)"lb.metrics"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port of the web UI and API; 9090 by default.
    pub port: Option<u16>,
    /// How long to keep samples (`--storage.tsdb.retention.time`); `15d` by default.
    pub retention: Option<String>,
    /// `15s` by default.
    pub scrape_interval: Option<String>,
    /// `15s` by default.
    pub evaluation_interval: Option<String>,
    /// The Alertmanager to send alerts to, e.g. `(ref)"alertmanager.http"`.
    pub alertmanager: Option<Ref>,
    /// `HighLoad` fires when the 1-minute load per CPU stays above this; 1.5 by default.
    pub high_load: Option<f64>,
    /// How long a target must be down before `InstanceDown` fires; `1m` by default.
    pub instance_down_for: Option<String>,
    /// How long the load must stay high before `HighLoad` fires; `5m` by default.
    pub high_load_for: Option<String>,
    /// Entry points probed through a blackbox exporter, by name: each probe is a scrape job
    /// `probe-<name>` with one target per (host, path), and alerts when an entry point answers
    /// slower than the budget, with a 5xx, or not at all.
    #[serde(default)]
    pub probe: BTreeMap<String, Probe>,
    /// HAProxy balancers whose own metrics the alerts watch, by their `metrics` export: a 5xx
    /// answered by any backend, a backend with no server up.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub balancers: Vec<Ref>,
    /// In a Compose project: the networks the container joins (those of the services it
    /// scrapes).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// In a Compose project: publish the web UI on this port of the machine's loopback
    /// address; not published by default.
    pub publish: Option<u16>,
}

impl Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(9090)
    }
}

/// Entry points probed through a blackbox exporter: every host of every target, each path.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Probe {
    /// The exporter's probe endpoint, on one host: `(ref)"blackbox.probe"`.
    pub via: Ref,
    /// The entry points: HTTP endpoints of other services, e.g. `(ref)"lb.api"`.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub targets: Vec<Ref>,
    /// Paths requested on every entry point, written as text (`/кільце-кільце`): what HTTP
    /// cannot carry as it is, non-ASCII included, is percent-encoded. `/` by default.
    #[serde(default = "default_paths", deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub paths: Vec<String>,
    /// An answer that takes longer than this is a failure; `2s` by default. An exporter whose
    /// timeout is shorter (the `blackbox` plugin's is `1900ms`) fails such a probe instead.
    #[serde(default = "default_slower_than")]
    pub slower_than: String,
    /// The exporter's module; `http_2xx` by default, the `blackbox` plugin's.
    #[serde(default = "default_module")]
    pub module: String,
}

fn default_paths() -> Vec<String> {
    vec!["/".to_owned()]
}

fn default_slower_than() -> String {
    "2s".to_owned()
}

fn default_module() -> String {
    "http_2xx".to_owned()
}
