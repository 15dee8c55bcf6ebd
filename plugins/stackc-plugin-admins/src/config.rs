//! The `admins` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// ```kdl
/// service "admins" plugin="admins" on="all" {
///     admin "olena" {
///         key (file)"keys/olena.pub"
///     }
///     admin "taras" {
///         key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… taras@laptop"
///     }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Administrators by user name.
    #[serde(default)]
    pub admin: BTreeMap<String, Admin>,
    /// The group whose members may use sudo; `admins` by default.
    #[serde(default = "default_sudo_group")]
    pub sudo_group: String,
    /// `PermitRootLogin` of the SSH server: `prohibit-password` (Debian's default: root only
    /// with a key), or `no` once every deployment logs in as an administrator.
    #[serde(default = "default_permit_root_login")]
    pub permit_root_login: String,
}

fn default_sudo_group() -> String {
    "admins".to_owned()
}

fn default_permit_root_login() -> String {
    "prohibit-password".to_owned()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Admin {
    /// OpenSSH public keys (a `.pub` file's line); several with `key "…" "…"`.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub key: Vec<String>,
    /// Login shell; `/bin/bash` by default.
    #[serde(default = "default_shell")]
    pub shell: String,
    /// Also in the sudo group; `#true` by default.
    #[serde(default = "default_sudo")]
    pub sudo: bool,
}

fn default_shell() -> String {
    "/bin/bash".to_owned()
}

fn default_sudo() -> bool {
    true
}
