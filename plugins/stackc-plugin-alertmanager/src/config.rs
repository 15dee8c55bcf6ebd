//! The `alertmanager` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// ```kdl
/// service "alertmanager" plugin="alertmanager" on="mon1" {
///     receiver "ops"
///     webhook "http://127.0.0.1:5001/alerts"
///     email { to "ops@example.org"; from "alertmanager@example.org"; smarthost "mail.example.org:25" }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port of the API and UI; 9093 by default.
    pub port: Option<u16>,
    /// Name of the receiver; `default` by default.
    pub receiver: Option<String>,
    /// Webhook URL alerts are posted to.
    pub webhook: Option<String>,
    /// E-mail delivery (no credentials: an unauthenticated relay).
    pub email: Option<Email>,
    /// Labels alerts are grouped by; `alertname` and `instance` by default.
    #[serde(default)]
    pub group_by: Vec<String>,
    /// `30s` by default.
    pub group_wait: Option<String>,
    /// `5m` by default.
    pub group_interval: Option<String>,
    /// `4h` by default.
    pub repeat_interval: Option<String>,
}

/// Serialized as it is for the template, with Alertmanager's key for `require-tls`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Email {
    pub to: String,
    pub from: String,
    /// `host:port` of the mail relay.
    pub smarthost: String,
    /// `true` by default.
    #[serde(default = "yes")]
    #[serde(rename(serialize = "require_tls"))]
    pub require_tls: bool,
}

fn yes() -> bool {
    true
}

impl Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(9093)
    }
}
