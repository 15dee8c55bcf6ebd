//! The `exporter` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// ```kdl
/// service "db-exporter" plugin="exporter" on="octopus" {
///     postgres (ref)"db.postgres"
///     user "octopus"
///     password (secret)"db-password"
///     database "octopus"
///     networks "data" "monitoring"
/// }
/// ```
///
/// or `redis (ref)"cache.redis"` with `password`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The PostgreSQL server to report on (a `postgres` service's `postgres` export).
    pub postgres: Option<Ref>,
    /// The Redis server to report on (a `redis` service's `redis` export).
    pub redis: Option<Ref>,
    /// The PostgreSQL role the exporter connects as; `postgres` by default.
    pub user: Option<String>,
    /// The server's password.
    pub password: SecretRef,
    /// The PostgreSQL database to connect to; `postgres` by default.
    pub database: Option<String>,
    /// The Compose networks the container joins: the server's and Prometheus's.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
}
