//! The `grafana` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

use crate::dashboard::Board;

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
    /// The dashboard to provision: `hosts` (the default on hosts) or `services` (the default
    /// in a Compose project).
    pub dashboard: Option<Board>,
    /// In a Compose project: the password of the `admin` user, from a secret.
    pub admin_password: Option<SecretRef>,
    /// In a Compose project: the networks the container joins.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// In a Compose project: publish the web UI on this port of the machine's loopback
    /// address; not published by default.
    pub publish: Option<u16>,
}

impl Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(3000)
    }
}
