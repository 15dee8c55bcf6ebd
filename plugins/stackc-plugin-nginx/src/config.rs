//! The `nginx` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// One nginx `server` per service.
///
/// ```kdl
/// service "proxy" plugin="nginx" on="proxy1" {
///     listen 443
///     tls { certificate (secret)"proxy-cert"; key (secret)"proxy-key" }
///     upstream "web" { servers (ref)"web.http"; keepalive 16 }
///     location "/" { proxy "web" }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port to listen on; 443 with `tls`, 80 otherwise.
    pub listen: Option<u16>,
    /// Address to bind; the host's own address by default, so that several services can use
    /// one port on one machine.
    pub bind: Option<String>,
    /// `server_name`s; any name by default.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub server_name: Vec<String>,
    /// Document root for static files; `/var/www/<service>` by default.
    pub root: Option<String>,
    /// Index files.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub index: Vec<String>,
    /// Files to place under the root: name → contents.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// TLS termination.
    pub tls: Option<Tls>,
    /// Named upstream groups for `proxy`.
    #[serde(default)]
    pub upstream: BTreeMap<String, Upstream>,
    /// Locations by path prefix (`= /exact` for exact matches).
    #[serde(default)]
    pub location: BTreeMap<String, Location>,
    /// A `stub_status` page, restricted to the given clients.
    pub status: Option<Status>,
    /// A Prometheus exporter of the `status` page on every host (Debian's
    /// `prometheus-nginx-exporter`), exported as `metrics`: `metrics { port 9113 }`.
    pub metrics: Option<Metrics>,
}

impl Config {
    /// The port of the main listener: `listen`, else 443 with TLS and 80 without.
    pub fn port(&self) -> u16 {
        self.listen.unwrap_or(if self.tls.is_some() { 443 } else { 80 })
    }

    /// `https` with TLS, `http` without.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Tls {
    pub certificate: SecretRef,
    pub key: SecretRef,
    /// Strict-Transport-Security max-age in seconds (two years by default).
    #[serde(default = "default_hsts")]
    pub hsts_max_age: u32,
    /// Also listen on this port for plain HTTP and redirect to HTTPS.
    pub redirect_from: Option<u16>,
}

fn default_hsts() -> u32 {
    63_072_000
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Upstream {
    /// The endpoints to balance over, one reference per service.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Ref>")]
    pub servers: Vec<Ref>,
    /// `round-robin` (default) or `least-conn`.
    #[serde(default)]
    pub balance: Balance,
    /// Idle keepalive connections to keep per worker; 0 disables keepalive.
    #[serde(default)]
    pub keepalive: u32,
    /// Failed attempts before a server is taken out for `fail-timeout`.
    #[serde(default = "default_max_fails")]
    pub max_fails: u32,
    #[serde(default = "default_fail_timeout")]
    pub fail_timeout: String,
}

fn default_max_fails() -> u32 {
    1
}

fn default_fail_timeout() -> String {
    "10s".to_owned()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Balance {
    #[default]
    RoundRobin,
    LeastConn,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Location {
    /// Name of an `upstream` to proxy to; without it the location serves files.
    pub proxy: Option<String>,
    /// Path prefix sent upstream instead of the location's own (`proxy_pass http://up/x/`).
    pub proxy_path: Option<String>,
    /// `1s` by default.
    pub connect_timeout: String,
    /// `5s` by default.
    pub read_timeout: String,
    /// `5s` by default.
    pub send_timeout: String,
    /// When to try the next upstream server; `error timeout http_502 http_503 http_504` by
    /// default.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub next_upstream: Vec<String>,
    /// Attempts in all, the first included; 0 means no limit. 3 by default.
    pub next_upstream_tries: u32,
    /// Time limit for all attempts together; `0` (the default) means none.
    pub next_upstream_timeout: String,
}

impl Default for Location {
    fn default() -> Self {
        Location {
            proxy: None,
            proxy_path: None,
            connect_timeout: "1s".to_owned(),
            read_timeout: "5s".to_owned(),
            send_timeout: "5s".to_owned(),
            next_upstream: ["error", "timeout", "http_502", "http_503", "http_504"].map(str::to_owned).to_vec(),
            next_upstream_tries: 3,
            next_upstream_timeout: "0".to_owned(),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Status {
    /// Path of the stub_status page; `/nginx_status` by default.
    pub path: String,
    /// Clients (addresses or CIDRs) allowed besides loopback.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub allow: Vec<String>,
}

impl Default for Status {
    fn default() -> Self {
        Status { path: "/nginx_status".to_owned(), allow: Vec::new() }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Metrics {
    /// Port of the exporter, on the host's own address; 9113 by default.
    pub port: u16,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { port: 9113 }
    }
}
