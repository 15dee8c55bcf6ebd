//! The `flask-app` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// ```kdl
/// service "backend" plugin="flask-app" on="octopus" {
///     database (ref)"db.postgres"
///     database-name "octopus"
///     database-user "octopus"
///     database-password (secret)"db-password"
///     cache (ref)"cache.redis"
///     cache-password (secret)"redis-password"
///     networks "backend" "data"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The PostgreSQL server (a `postgres` service's `postgres` export).
    pub database: Ref,
    /// The database; `app` by default.
    #[serde(default = "default_name")]
    pub database_name: String,
    /// The role the API connects as; `app` by default.
    #[serde(default = "default_name")]
    pub database_user: String,
    pub database_password: SecretRef,
    /// The Redis cache (a `redis` service's `redis` export).
    pub cache: Ref,
    pub cache_password: SecretRef,
    /// Seconds a cached answer is served; 30 by default.
    #[serde(default = "default_cache_seconds")]
    pub cache_seconds: u32,
    /// The port gunicorn listens on; 8000 by default.
    #[serde(default = "default_port")]
    pub port: u16,
    /// gunicorn worker processes; 2 by default.
    #[serde(default = "default_workers")]
    pub workers: u32,
    /// The Compose networks the container joins.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
}

fn default_name() -> String {
    "app".to_owned()
}

fn default_cache_seconds() -> u32 {
    30
}

fn default_port() -> u16 {
    8000
}

fn default_workers() -> u32 {
    2
}
