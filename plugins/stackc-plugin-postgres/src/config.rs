//! The `postgres` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// One PostgreSQL server per service, in the stack's Compose project: a primary, or a
/// streaming replica of one.
///
/// ```kdl
/// service "db" plugin="postgres" on="octopus" {
///     networks "data"
///     database "shop"
///     user "shop"
///     password (secret)"db-password"
///     replication { password (secret)"replication-password" }
/// }
///
/// service "db-replica" plugin="postgres" on="octopus" {
///     role "replica"
///     primary (ref)"db.postgres"
///     networks "data"
///     replication { password (secret)"replication-password" }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `primary` (the default) or `replica`.
    #[serde(default)]
    pub role: Role,
    /// The primary a replica streams from: `(ref)"<primary service>.postgres"`.
    pub primary: Option<Ref>,
    /// The image to run; PostgreSQL 15 on Debian bookworm by default.
    #[serde(default = "default_image")]
    pub image: String,
    /// A primary's application database, created on first start.
    pub database: Option<String>,
    /// The role that owns the database: the image's `POSTGRES_USER`, the cluster's superuser.
    pub user: Option<String>,
    /// That role's password (a primary's): read from a secret file when the cluster is made.
    pub password: Option<SecretRef>,
    /// The role replicas connect as. A primary with this block creates the role on first
    /// start; a replica needs it to copy and follow its primary.
    pub replication: Option<Replication>,
    /// The Compose networks the container joins, declared by the stack's `compose` block.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// Publish port 5432 on this port of the machine running the project; nothing is
    /// published by default, so only containers on the same networks reach the server.
    pub publish: Option<u16>,
    /// The machine's address to publish on, with `publish`; every address by default.
    pub publish_address: Option<String>,
    /// `max_connections`.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// `shared_buffers`, with a unit (`kB`, `MB`, `GB`, `TB`).
    #[serde(default = "default_shared_buffers")]
    pub shared_buffers: String,
    /// `max_wal_senders`: how many replicas (and base backups) may stream at once.
    #[serde(default = "default_max_wal_senders")]
    pub max_wal_senders: u32,
    /// `wal_keep_size`: WAL kept for replicas that fall behind, with a unit.
    #[serde(default = "default_wal_keep_size")]
    pub wal_keep_size: String,
}

/// What the server is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes writes; makes its cluster on first start.
    #[default]
    Primary,
    /// A hot standby: copies its primary on first start (`pg_basebackup`), then streams WAL
    /// from it and serves reads.
    Replica,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Replication {
    /// The role's name; `replicator` by default. A replica's must be its primary's.
    #[serde(default = "default_replication_user")]
    pub user: String,
    /// The role's password.
    pub password: SecretRef,
}

fn default_image() -> String {
    "postgres:15-bookworm".to_owned()
}

fn default_max_connections() -> u32 {
    100
}

fn default_shared_buffers() -> String {
    "128MB".to_owned()
}

fn default_max_wal_senders() -> u32 {
    10
}

fn default_wal_keep_size() -> String {
    "512MB".to_owned()
}

fn default_replication_user() -> String {
    "replicator".to_owned()
}

impl Config {
    /// The application database: `database`, else `app`.
    pub fn database(&self) -> &str {
        self.database.as_deref().unwrap_or("app")
    }

    /// The owner of the database: `user`, else `app`.
    pub fn user(&self) -> &str {
        self.user.as_deref().unwrap_or("app")
    }
}
