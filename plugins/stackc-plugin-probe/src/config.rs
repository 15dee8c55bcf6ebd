//! The `probe` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, one_or_many};

/// ```kdl
/// service "probe" plugin="probe" on="mon1" {
///     interval 5
///     prometheus (ref)"prometheus.http"
///     status (ref)"site.status"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Seconds between rounds; 5 by default.
    pub interval: u32,
    /// Prometheus servers to query (their `http` export).
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub prometheus: Vec<Ref>,
    /// nginx `stub_status` pages to request (an nginx service's `status` export).
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub status: Vec<Ref>,
    /// The PromQL query whose result is recorded per instance; `node_load1` by default.
    pub query: String,
    /// Where records are appended; `/var/lib/stackc-probe/<service>.jsonl` by default.
    pub output: Option<String>,
    /// Seconds to wait for each request; 3 by default.
    pub timeout: u32,
    /// `daemontools` (default) or `systemd`.
    pub supervisor: SupervisorChoice,
    /// Log files multilog keeps, the current one included; 10 by default.
    pub log_files: u32,
    /// Size at which multilog rotates the log; 1000000 bytes by default.
    pub log_max_bytes: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            interval: 5,
            prometheus: Vec::new(),
            status: Vec::new(),
            query: "node_load1".to_owned(),
            output: None,
            timeout: 3,
            supervisor: SupervisorChoice::default(),
            log_files: 10,
            log_max_bytes: 1_000_000,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SupervisorChoice {
    #[default]
    Daemontools,
    Systemd,
}
