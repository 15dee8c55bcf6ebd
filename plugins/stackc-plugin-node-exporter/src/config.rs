//! The `node-exporter` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;

/// ```kdl
/// service "node" plugin="node-exporter" on="lab" {
///     port 9100
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port of the metrics listener; 9100 by default.
    pub port: Option<u16>,
    /// Extra collectors to enable (`--collector.<name>`), e.g. `systemd`.
    #[serde(default)]
    pub collectors: Vec<String>,
}

impl Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(9100)
    }
}
