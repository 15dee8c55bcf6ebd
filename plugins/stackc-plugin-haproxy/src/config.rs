//! The `haproxy` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, one_or_many};

/// One HAProxy per host of the service: named frontends, each sending its requests to a
/// named backend whose servers are other services' endpoints.
///
/// ```kdl
/// service "lb" plugin="haproxy" on="balancers" {
///     frontend "api" { port 80; bind "10.30.0.100"; backend "api" }
///     backend "api" {
///         servers (ref)"api.http"
///         balance "leastconn"
///         check { path "/health" }
///     }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Listeners by name; each is exported as an HTTP endpoint of that name.
    #[serde(default)]
    pub frontend: BTreeMap<String, Frontend>,
    /// Server pools by name.
    #[serde(default)]
    pub backend: BTreeMap<String, Backend>,
    /// Connections the process accepts at once (`global maxconn`); 4096 by default.
    #[serde(default = "default_maxconn")]
    pub maxconn: u32,
    /// Timeouts of every proxy.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// The built-in Prometheus exporter, on the host's own address.
    #[serde(default)]
    pub metrics: Metrics,
    /// The runtime API socket (`level admin`), through which a deployment drains servers:
    /// `set server api/api-api1 state drain`.
    #[serde(default = "default_stats_socket")]
    pub stats_socket: String,
}

fn default_maxconn() -> u32 {
    4096
}

fn default_stats_socket() -> String {
    "/run/haproxy/admin.sock".to_owned()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Frontend {
    /// Port to listen on; 80 by default.
    #[serde(default = "default_port")]
    pub port: u16,
    /// Addresses to listen on besides the host's own, which every frontend binds so that
    /// references to it reach it: typically a keepalived virtual IP. An address the host does
    /// not have yet is bound with `transparent`, so HAProxy starts on a backup balancer too.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub bind: Vec<String>,
    /// The `backend` that serves this frontend's requests.
    pub backend: String,
}

fn default_port() -> u16 {
    80
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Backend {
    /// The endpoints to balance over, one reference per service; every host of a referenced
    /// service is a server.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub servers: Vec<Ref>,
    /// `roundrobin` (default) or `leastconn`.
    #[serde(default)]
    pub balance: Balance,
    /// The active health check of every server.
    #[serde(default)]
    pub check: Check,
    /// Further attempts after a failed one (`retries`); 3 by default.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// What makes HAProxy retry a request (`retry-on`); by default a refused or failed
    /// connection, a server that closed without answering or did not answer in time, and
    /// 502, 503 and 504 responses.
    #[serde(default = "default_retry_on", deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub retry_on: Vec<String>,
    /// Retry on another server rather than the one that failed (`option redispatch 1`);
    /// on by default.
    #[serde(default = "default_true")]
    pub redispatch: bool,
}

fn default_retries() -> u32 {
    3
}

fn default_retry_on() -> Vec<String> {
    ["conn-failure", "empty-response", "response-timeout", "502", "503", "504"].map(str::to_owned).to_vec()
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Balance {
    #[default]
    #[serde(alias = "round-robin")]
    Roundrobin,
    #[serde(alias = "least-conn")]
    Leastconn,
}

impl Balance {
    pub fn directive(self) -> &'static str {
        match self {
            Balance::Roundrobin => "roundrobin",
            Balance::Leastconn => "leastconn",
        }
    }
}

/// `option httpchk GET <path>` with `http-check expect status <status>`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Check {
    /// Path requested; `/` by default.
    pub path: String,
    /// Status a healthy server answers with; 200 by default.
    pub status: u16,
    /// Time between checks (`inter`); `500ms` by default.
    pub interval: String,
    /// Failed checks before a server is taken out (`fall`); 2 by default, so a dead server
    /// is out within a second.
    pub fall: u32,
    /// Passed checks before it is put back (`rise`); 2 by default.
    pub rise: u32,
}

impl Default for Check {
    fn default() -> Self {
        Check { path: "/".to_owned(), status: 200, interval: "500ms".to_owned(), fall: 2, rise: 2 }
    }
}

/// HAProxy times: a number with an optional unit (`us`, `ms`, `s`, `m`, `h`, `d`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Timeouts {
    /// Connecting to a server; `500ms` by default.
    pub connect: String,
    /// A server's response; `1500ms` by default, so a stuck server's request is retried
    /// elsewhere within a 2 s budget.
    pub server: String,
    /// Client inactivity; `30s` by default.
    pub client: String,
    /// A complete request head; `5s` by default.
    pub http_request: String,
    /// An idle client connection between requests; `10s` by default.
    pub http_keep_alive: String,
    /// Waiting for a free server slot; `1s` by default.
    pub queue: String,
    /// A health check's answer, once connected; `500ms` by default.
    pub check: String,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: "500ms".to_owned(),
            server: "1500ms".to_owned(),
            client: "30s".to_owned(),
            http_request: "5s".to_owned(),
            http_keep_alive: "10s".to_owned(),
            queue: "1s".to_owned(),
            check: "500ms".to_owned(),
        }
    }
}

impl Timeouts {
    /// `(key, value)` in the order they are written.
    pub fn entries(&self) -> [(&'static str, &str); 7] {
        [
            ("connect", &self.connect),
            ("server", &self.server),
            ("client", &self.client),
            ("http-request", &self.http_request),
            ("http-keep-alive", &self.http_keep_alive),
            ("queue", &self.queue),
            ("check", &self.check),
        ]
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Metrics {
    /// Port of the exporter; 8405 by default.
    pub port: u16,
    /// Path of the exporter; `/metrics` by default.
    pub path: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { port: 8405, path: "/metrics".to_owned() }
    }
}
