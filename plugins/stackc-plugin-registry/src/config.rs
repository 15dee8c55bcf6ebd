//! The `registry` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::SecretRef;

/// Every key is optional; without `users` anyone who reaches the port may push.
///
/// ```kdl
/// service "registry" plugin="registry" on="registry1" {
///     port 5000
///     users (secret)"registry-htpasswd"
///     tls {
///         certificate (file)"registry.crt"
///         key (secret)"registry-key"
///     }
///     delete #true
///     metrics-port 5001
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port of the registry API, on the host's own address; 5000 by default.
    pub port: u16,
    /// Where images are stored on the host; Debian's `/var/lib/docker-registry` by default.
    pub storage: String,
    /// Whether images may be deleted through the API (and so space freed by garbage
    /// collection); off by default.
    pub delete: bool,
    /// An htpasswd file of the users who may push and pull (bcrypt hashes: `htpasswd -B`), as a
    /// secret: filled in at deploy time, never in the bundle.
    pub users: Option<SecretRef>,
    /// Serve HTTPS. Without it, clients must be told the registry is insecure.
    pub tls: Option<Tls>,
    /// Serve Prometheus metrics on this port (the registry's debug server, host address only).
    pub metrics_port: Option<u16>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 5000,
            storage: "/var/lib/docker-registry".to_owned(),
            delete: false,
            users: None,
            tls: None,
            metrics_port: None,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Tls {
    /// The certificate chain, PEM (`(file)"registry.crt"`).
    pub certificate: String,
    /// The private key, as a secret.
    pub key: SecretRef,
}
