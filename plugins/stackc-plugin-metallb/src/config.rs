//! The `metallb` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// One Helm release of the metallb chart per service (controller, a speaker on every node and
/// the CRDs), plus an `IPAddressPool` of the addresses LoadBalancer Services get and an
/// `L2Advertisement` that announces them on the nodes' network with ARP/NDP.
///
/// ```kdl
/// service "metallb" plugin="metallb" {
///     namespace "metallb-system"
///     addresses "10.20.0.200-10.20.0.220" "10.20.1.0/28"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of the release and the pool.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// The pool's addresses: ranges `first-last` (e.g. `10.20.0.200-10.20.0.220`) or CIDR
    /// prefixes (`10.20.1.0/28`), IPv4 or IPv6. They must be free on the nodes' network.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub addresses: Vec<String>,
    /// Name of the `IPAddressPool` (and its `L2Advertisement`); Services pick a pool by this
    /// name with the annotation `metallb.io/address-pool`.
    #[serde(default = "default_pool")]
    pub pool: String,
    /// Hand the pool's addresses to any LoadBalancer Service; without it, only to Services
    /// that ask for this pool or one of its addresses.
    #[serde(default = "default_true")]
    pub auto_assign: bool,
}

fn default_namespace() -> String {
    "metallb-system".to_owned()
}

fn default_pool() -> String {
    "default".to_owned()
}

fn default_true() -> bool {
    true
}
