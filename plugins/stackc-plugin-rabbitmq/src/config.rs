//! The `rabbitmq` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{SecretRef, one_or_many};

/// One single-node broker per service, in the stack's Compose project.
///
/// ```kdl
/// service "mq" plugin="rabbitmq" on="octopus" {
///     user "octopus"
///     password (secret)"mq-password"
///     networks "queue"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The application user, created with `password` when the node first starts (an empty
    /// data volume). It is the only user: `guest` is never created.
    pub user: String,
    /// The application user's password, from the stack's secrets.
    pub password: SecretRef,
    /// The virtual host created with the user, on which it gets every permission; `/` by
    /// default.
    #[serde(default = "default_vhost")]
    pub vhost: String,
    /// The networks of the Compose project the broker joins (the stack declares them).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// The image; an official `rabbitmq` image with the management plugin.
    #[serde(default = "default_image")]
    pub image: String,
    /// Publish the management UI on this port of the machine's loopback address.
    pub management_port: Option<u16>,
    /// The share of the container's memory at which publishers are blocked; 0.4 by default.
    #[serde(default = "default_watermark")]
    pub memory_high_watermark: f64,
}

fn default_vhost() -> String {
    "/".to_owned()
}

fn default_image() -> String {
    "rabbitmq:3.13-management".to_owned()
}

fn default_watermark() -> f64 {
    0.4
}
