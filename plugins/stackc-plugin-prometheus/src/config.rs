//! The `prometheus` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, one_or_many};

/// ```kdl
/// service "prometheus" plugin="prometheus" on="mon1" {
///     retention "15d"
///     alertmanager (ref)"alertmanager.http"
///     high-load 1.5
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
    /// In a Compose project: the networks the container joins (those of the services it
    /// scrapes).
    #[serde(default, deserialize_with = "one_or_many")]
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
