//! The `blackbox` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;

/// Every key is optional:
///
/// ```kdl
/// service "blackbox" plugin="blackbox" on="mon1" {
///     port 9115
///     timeout "1900ms"
///     valid-status-codes 200 204
///     follow-redirects #false
///     ip-protocol "ip4"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Port of the exporter, on the host's own address; 9115 by default.
    pub port: u16,
    /// How long a probe waits for a complete answer before it fails; `1900ms` by default,
    /// under the 2 s an answer may take, so that a slower answer fails the probe.
    pub timeout: String,
    /// The statuses a probe accepts; any 2xx when empty (the default).
    #[serde(deserialize_with = "stackc_plugin_sdk::one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<u16>")]
    pub valid_status_codes: Vec<u16>,
    /// Whether a probe follows redirects; off by default, so that a redirect fails the probe
    /// instead of probing another page than the one named.
    pub follow_redirects: bool,
    /// `ip4` (the default) or `ip6`: the address family tried first for a name.
    pub ip_protocol: IpProtocol,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 9115,
            timeout: "1900ms".to_owned(),
            valid_status_codes: Vec::new(),
            follow_redirects: false,
            ip_protocol: IpProtocol::Ip4,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpProtocol {
    #[default]
    Ip4,
    Ip6,
}

impl IpProtocol {
    pub fn name(self) -> &'static str {
        match self {
            IpProtocol::Ip4 => "ip4",
            IpProtocol::Ip6 => "ip6",
        }
    }
}
