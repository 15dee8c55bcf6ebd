//! The `keepalived` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// One VRRP instance over the hosts of the service. The first host is the master (highest
/// priority); each further host's priority is 10 lower.
///
/// ```kdl
/// service "vip" plugin="keepalived" on="balancers" {
///     virtual-router-id 51
///     virtual-ip "10.30.0.100/24"
///     interface "eth0"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// VRRP router id, 1–255, unique among the VRRP instances of the network.
    pub virtual_router_id: u32,
    /// The addresses that move between hosts, with an optional prefix length
    /// (`10.30.0.100/24`).
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub virtual_ip: Vec<String>,
    /// Network interface the addresses are added to and VRRP speaks on.
    pub interface: String,
    /// Priority of the first host, 2–254; each further host's is 10 lower. 150 by default.
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Time between VRRP adverts, in steps of 10 ms (VRRP version 3); `1s` by default. A
    /// backup takes over after about three of them without one from the master.
    #[serde(default = "default_advert_interval")]
    pub advert_interval: String,
    /// Send adverts to the other hosts' addresses rather than to the VRRP multicast group,
    /// for networks that drop multicast; on by default.
    #[serde(default = "default_true")]
    pub unicast: bool,
    /// The process whose presence lets a host hold the addresses.
    #[serde(default)]
    pub check: Check,
}

fn default_priority() -> u32 {
    150
}

fn default_advert_interval() -> String {
    "1s".to_owned()
}

fn default_true() -> bool {
    true
}

/// A `vrrp_script` running `pidof <process>`: a host whose process is gone gives up the
/// addresses (FAULT state) until it is back.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Check {
    /// Process name; `haproxy` by default.
    pub process: String,
    /// Seconds between checks; 1 by default.
    pub interval: u32,
    /// Failed checks before the host gives up the addresses; 2 by default.
    pub fall: u32,
    /// Passed checks before it may hold them again; 2 by default.
    pub rise: u32,
}

impl Default for Check {
    fn default() -> Self {
        Check { process: "haproxy".to_owned(), interval: 1, fall: 2, rise: 2 }
    }
}
