//! The `grafana` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::Ref;

/// ```kdl
/// service "grafana" plugin="grafana" on="mon1" {
///     datasource (ref)"prometheus.http"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The Prometheus to query, e.g. `(ref)"prometheus.http"`.
    pub datasource: Ref,
    /// Port of the web UI; 3000 by default.
    pub port: Option<u16>,
    /// The Prometheus scrape interval, Grafana's minimum step; `15s` by default.
    pub scrape_interval: Option<String>,
    /// Folder of the provisioned dashboards; `stackc` by default.
    pub folder: Option<String>,
}

impl Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(3000)
    }
}
