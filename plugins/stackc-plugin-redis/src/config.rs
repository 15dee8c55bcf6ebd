//! The `redis` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{SecretRef, one_or_many};

/// One standalone Redis server per service, in the stack's Compose project.
///
/// ```kdl
/// service "cache" plugin="redis" on="octopus" {
///     networks "data"
///     password (secret)"cache-password"
///     maxmemory "256mb"
///     maxmemory-policy "allkeys-lru"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The image to run; Redis 7 on Debian bookworm by default.
    #[serde(default = "default_image")]
    pub image: String,
    /// The password every client gives (`AUTH`).
    pub password: SecretRef,
    /// The Compose networks the container joins, declared by the stack's `compose` block.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// Publish port 6379 on this port of the machine running the project; nothing is
    /// published by default, so only containers on the same networks reach the server.
    pub publish: Option<u16>,
    /// The machine's address to publish on, with `publish`; every address by default.
    pub publish_address: Option<String>,
    /// `maxmemory`, e.g. `256mb`; no limit by default.
    pub maxmemory: Option<String>,
    /// What Redis evicts at `maxmemory`; by default nothing (writes fail instead).
    #[serde(default)]
    pub maxmemory_policy: MaxmemoryPolicy,
    /// How often the append-only file is flushed to disk.
    #[serde(default)]
    pub appendfsync: Appendfsync,
}

fn default_image() -> String {
    "redis:7-bookworm".to_owned()
}

/// `maxmemory-policy`, spelled as in redis.conf.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MaxmemoryPolicy {
    VolatileLru,
    AllkeysLru,
    VolatileLfu,
    AllkeysLfu,
    VolatileRandom,
    AllkeysRandom,
    VolatileTtl,
    #[default]
    Noeviction,
}

impl MaxmemoryPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::AllkeysLru => "allkeys-lru",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::AllkeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::AllkeysRandom => "allkeys-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
            MaxmemoryPolicy::Noeviction => "noeviction",
        }
    }
}

/// `appendfsync`: after every write, once a second, or when the kernel decides.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Appendfsync {
    Always,
    #[default]
    Everysec,
    No,
}

impl Appendfsync {
    pub fn as_str(self) -> &'static str {
        match self {
            Appendfsync::Always => "always",
            Appendfsync::Everysec => "everysec",
            Appendfsync::No => "no",
        }
    }
}
