//! The `nginx-gateway` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// ```kdl
/// service "gateway" plugin="nginx-gateway" on="octopus" {
///     server-name "octopus.example.org"
///     route "/" to=(ref)"frontend.http"
///     route "/api/" to=(ref)"backend.http"
///     networks "frontend" "backend"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The name clients reach the gateway by; the self-signed certificate is made for it.
    pub server_name: String,
    /// URL path prefix → the service it is proxied to. The longest matching prefix wins.
    pub route: BTreeMap<String, Route>,
    /// The port HTTPS is published on, on every address of the machine; 443 by default.
    #[serde(default = "default_https_port")]
    pub https_port: u16,
    /// The port plain HTTP is published on (it redirects to HTTPS); 80 by default.
    #[serde(default = "default_http_port")]
    pub http_port: u16,
    /// A certificate of the stack's own (PEM, chain included), mounted over the self-signed
    /// one the image is built with; with `key`.
    pub certificate: Option<SecretRef>,
    /// The certificate's private key (PEM).
    pub key: Option<SecretRef>,
    /// Strict-Transport-Security max-age in seconds; two years by default.
    #[serde(default = "default_hsts")]
    pub hsts_max_age: u32,
    /// The Compose networks the container joins: those of the services it routes to.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
}

/// Where one path prefix goes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Route {
    /// An HTTP endpoint of a service of the project, e.g. `(ref)"backend.http"`. The request's
    /// path is passed on unchanged, prefix included.
    pub to: Ref,
}

fn default_https_port() -> u16 {
    443
}

fn default_http_port() -> u16 {
    80
}

fn default_hsts() -> u32 {
    63_072_000
}
