//! The `etcd` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::SecretRef;

/// One etcd cluster per service, one member per host.
///
/// ```kdl
/// service "etcd" plugin="etcd" on="etcd" {
///     tolerate 2
///     cluster-name "lab-etcd"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Member failures the cluster must survive; it needs `2 × tolerate + 1` members.
    pub tolerate: u32,
    /// `initial-cluster-name`; the service name by default.
    pub cluster_name: Option<String>,
    #[serde(default = "default_client_port")]
    pub client_port: u16,
    #[serde(default = "default_peer_port")]
    pub peer_port: u16,
    /// Data directory on every member.
    #[serde(default = "default_data_dir")]
    pub data_dir: String,
    /// TLS between members.
    pub peer_tls: Option<PeerTls>,
}

impl Config {
    /// `https` with peer TLS, `http` without.
    pub fn peer_scheme(&self) -> &'static str {
        if self.peer_tls.is_some() { "https" } else { "http" }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PeerTls {
    pub certificate: SecretRef,
    pub key: SecretRef,
    /// The CA that signed every member's certificate.
    pub trusted_ca: SecretRef,
}

fn default_client_port() -> u16 {
    2379
}

fn default_peer_port() -> u16 {
    2380
}

fn default_data_dir() -> String {
    "/var/lib/etcd/default".to_owned()
}
