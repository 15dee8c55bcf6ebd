//! From config to the server's container: checks first (each problem a [`ConfigError`] at its
//! config path), then one template per file.
//!
//! Both roles mount the same `postgresql.conf` and `pg_hba.conf` into the official image. A
//! primary runs the image's entrypoint, which makes the cluster on first start (database,
//! owner and password from `POSTGRES_*`), then runs the executables of
//! `/docker-entrypoint-initdb.d/`: ours creates the replication role. A replica runs its own
//! entrypoint, which copies the primary with `pg_basebackup -R` when the data directory is
//! empty and then starts the server as a hot standby.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Container, ContainerFile, Healthcheck, PublishedPort, RenderContext, Templates, Volume,
};

use crate::config::{Config, Role};

/// The server's port inside the container.
pub(crate) const PORT: u16 = 5432;

const CONFIG_FILE: &str = "/etc/postgresql/postgresql.conf";
const HBA_FILE: &str = "/etc/postgresql/pg_hba.conf";
const INIT_SCRIPT: &str = "/docker-entrypoint-initdb.d/10-create-replication-role.sh";
const REPLICA_ENTRYPOINT: &str = "/etc/postgresql/start-replica.sh";
/// Where the data volume is mounted, and the cluster inside it: a directory of its own, so
/// that whatever the volume's root holds (`lost+found`) is not in the cluster's way.
const VOLUME_TARGET: &str = "/var/lib/postgresql/data";
const PGDATA: &str = "/var/lib/postgresql/data/pgdata";
/// The official image's user (uid 999), which owns the data directory.
const USER: &str = "postgres";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("postgresql.conf", include_str!("../templates/postgresql.conf.hbs")),
    ("pg_hba.conf", include_str!("../templates/pg_hba.conf.hbs")),
    ("create-replication-role.sh", include_str!("../templates/create-replication-role.sh.hbs")),
    ("start-replica.sh", include_str!("../templates/start-replica.sh.hbs")),
]);

#[derive(Serialize)]
struct ServerConf<'a> {
    service: &'a str,
    role: &'static str,
    config_file: &'static str,
    hba_file: &'static str,
    port: u16,
    max_connections: u32,
    shared_buffers: &'a str,
    max_wal_senders: u32,
    wal_keep_size: &'a str,
}

#[derive(Serialize)]
struct Hba<'a> {
    service: &'a str,
    replication_user: Option<&'a str>,
}

#[derive(Serialize)]
struct Script<'a> {
    service: &'a str,
}

/// Where the container finds the stack secret `name`.
fn secret_path(name: &str) -> String {
    format!("/run/secrets/{name}")
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = context.service.as_str();
    let role = match config.role {
        Role::Primary => "primary",
        Role::Replica => "replica",
    };
    let server = ServerConf {
        service,
        role,
        config_file: CONFIG_FILE,
        hba_file: HBA_FILE,
        port: PORT,
        max_connections: config.max_connections,
        shared_buffers: &config.shared_buffers,
        max_wal_senders: config.max_wal_senders,
        wal_keep_size: &config.wal_keep_size,
    };
    let hba = Hba { service, replication_user: config.replication.as_ref().map(|r| r.user.as_str()) };
    let volume = format!("{service}-data");
    let mut container = Container::new(service, &config.image, USER)
        .with_file(ContainerFile::new(CONFIG_FILE, TEMPLATES.render("postgresql.conf", &server)))
        .with_file(ContainerFile::new(HBA_FILE, TEMPLATES.render("pg_hba.conf", &hba)))
        .with_env("PGDATA", PGDATA)
        .with_volume(&volume, VOLUME_TARGET);
    let mut secrets: Vec<&str> = Vec::new();
    let start_period = match config.role {
        Role::Primary => {
            container = container
                .with_command(vec!["postgres".to_owned(), "-c".to_owned(), format!("config_file={CONFIG_FILE}")])
                .with_env("POSTGRES_DB", config.database())
                .with_env("POSTGRES_USER", config.user());
            if let Some(password) = &config.password {
                container = container.with_env("POSTGRES_PASSWORD_FILE", secret_path(&password.name));
                secrets.push(&password.name);
            }
            if let Some(replication) = &config.replication {
                let script = TEMPLATES.render("create-replication-role.sh", &Script { service });
                container = container
                    .with_file(ContainerFile::new(INIT_SCRIPT, script).with_mode(0o755))
                    .with_env("REPLICATION_USER", &replication.user)
                    .with_env("REPLICATION_PASSWORD_FILE", secret_path(&replication.password.name));
                secrets.push(&replication.password.name);
            }
            30
        }
        Role::Replica => {
            // `check` made sure that a replica has a resolved primary and a replication role.
            let primary = config.primary.as_ref().and_then(|p| p.endpoints.first());
            let (host, port) = primary.map_or(("", PORT), |e| (e.address.as_str(), e.port));
            let script = TEMPLATES.render("start-replica.sh", &Script { service });
            container = container
                .with_file(ContainerFile::new(REPLICA_ENTRYPOINT, script).with_mode(0o755))
                .with_entrypoint(vec![REPLICA_ENTRYPOINT.to_owned()])
                .with_command(vec!["-c".to_owned(), format!("config_file={CONFIG_FILE}")])
                .with_env("PRIMARY_HOST", host)
                .with_env("PRIMARY_PORT", port.to_string());
            if let Some(replication) = &config.replication {
                container = container
                    .with_env("REPLICATION_USER", &replication.user)
                    .with_env("REPLICATION_PASSWORD_FILE", secret_path(&replication.password.name));
                secrets.push(&replication.password.name);
            }
            // The first start copies the whole primary.
            120
        }
    };
    secrets.dedup();
    for secret in secrets {
        container = container.with_secret_file(secret_path(secret), secret);
    }
    // Over TCP, which the image's entrypoint leaves off until the cluster is made and its
    // init scripts have run: healthy means ready for the services that wait for it.
    let mut ready = vec!["pg_isready".to_owned(), "--quiet".to_owned(), "--host".to_owned(), "127.0.0.1".to_owned()];
    if config.role == Role::Primary {
        ready.extend(["--username".to_owned(), config.user().to_owned()]);
        ready.extend(["--dbname".to_owned(), config.database().to_owned()]);
    }
    container = container.with_healthcheck(Healthcheck::new(ready).with_start_period(start_period));
    for network in &config.networks {
        container = container.on_network(network);
    }
    if let Some(port) = config.publish {
        let published = PublishedPort::tcp(port, PORT);
        container = container.publish(match &config.publish_address {
            Some(address) => published.on_address(address),
            None => published,
        });
    }
    vec![container.into(), Volume::new(volume).into()]
}

/// Everything that would make the server refuse its configuration, or the container not
/// start.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the postgres plugin"));
    match config.role {
        Role::Primary => check_primary(config, &mut errors),
        Role::Replica => check_replica(config, &mut errors),
    }
    if let Some(replication) = &config.replication {
        check_identifier(&mut errors, &["replication", "user"], &replication.user);
    }
    if config.image.is_empty() {
        errors.push(ConfigError::at(&["image"], "the image reference is empty"));
    } else if config.image.contains(char::is_whitespace) {
        errors.push(ConfigError::at(&["image"], format!("`{}` is not an image reference", config.image)));
    }
    for network in &config.networks {
        if !is_name(network) {
            errors.push(
                ConfigError::at(&["networks"], format!("`{network}` is not a network name"))
                    .with_help("use lower-case letters, digits, `-` and `_`"),
            );
        }
    }
    if config.publish == Some(0) {
        errors.push(ConfigError::at(&["publish"], "port 0 cannot be published"));
    }
    if config.publish_address.is_some() && config.publish.is_none() {
        errors.push(
            ConfigError::at(&["publish-address"], "an address to publish on, but no port")
                .on_key()
                .with_help("add `publish <port>`"),
        );
    }
    if config.max_connections == 0 {
        errors.push(ConfigError::at(&["max-connections"], "the server needs at least one connection"));
    }
    if config.max_wal_senders == 0 && config.replication.is_some() {
        errors.push(
            ConfigError::at(&["max-wal-senders"], "no WAL sender, so no replica can stream")
                .with_help("allow at least one per replica, plus one for a base backup"),
        );
    }
    check_size(&mut errors, &["shared-buffers"], &config.shared_buffers);
    check_size(&mut errors, &["wal-keep-size"], &config.wal_keep_size);
    errors
}

fn check_primary(config: &Config, errors: &mut Vec<ConfigError>) {
    if config.primary.is_some() {
        errors.push(
            ConfigError::at(&["primary"], "only a replica follows a primary")
                .on_key()
                .with_help("add `role \"replica\"`, or remove `primary`"),
        );
    }
    if config.password.is_none() {
        errors.push(
            ConfigError::service("a primary needs the password of its database's owner")
                .with_help("add `password (secret)\"<name>\"`"),
        );
    }
    if let Some(database) = &config.database {
        check_identifier(errors, &["database"], database);
    }
    if let Some(user) = &config.user {
        check_identifier(errors, &["user"], user);
    }
    if let Some(replication) = &config.replication
        && replication.user == config.user()
    {
        errors.push(
            ConfigError::at(&["replication", "user"], "the replication role must not be the database's owner")
                .with_help("the owner is a superuser; replicas need a role that can only replicate"),
        );
    }
}

fn check_replica(config: &Config, errors: &mut Vec<ConfigError>) {
    match &config.primary {
        None => errors.push(
            ConfigError::service("a replica needs its primary").with_help("add `primary (ref)\"<primary>.postgres\"`"),
        ),
        Some(primary) => {
            if primary.export != "postgres" {
                errors.push(
                    ConfigError::at(&["primary"], format!("`{}` is not a PostgreSQL server", primary.target))
                        .with_help(format!("reference the primary's server: `(ref)\"{}.postgres\"`", primary.service)),
                );
            } else if primary.endpoints.len() > 1 {
                errors.push(ConfigError::at(
                    &["primary"],
                    format!("`{}` has {} servers; a replica follows one", primary.target, primary.endpoints.len()),
                ));
            } else if primary.endpoints.first().is_some_and(|e| e.protocol != "postgresql") {
                errors.push(ConfigError::at(&["primary"], format!("`{}` does not speak PostgreSQL", primary.target)));
            }
        }
    }
    if config.replication.is_none() {
        errors.push(
            ConfigError::service("a replica needs the role it replicates as")
                .with_help("add `replication { password (secret)\"<name>\" }`, as on its primary"),
        );
    }
    // The cluster is the primary's copy: its database, owner and password come with it.
    for (key, set) in [
        ("database", config.database.is_some()),
        ("user", config.user.is_some()),
        ("password", config.password.is_some()),
    ] {
        if set {
            errors.push(
                ConfigError::at(&[key], format!("a replica copies `{key}` from its primary"))
                    .on_key()
                    .with_help(format!("set `{key}` on the primary and remove it here")),
            );
        }
    }
}

/// A name PostgreSQL takes unquoted and the image's scripts pass through untouched.
fn check_identifier(errors: &mut Vec<ConfigError>, path: &[&str], name: &str) {
    let valid = name.len() <= 63
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        errors.push(
            ConfigError::at(path, format!("`{name}` is not a PostgreSQL name"))
                .with_help("use at most 63 lower-case letters, digits and `_`, starting with a letter"),
        );
    }
}

/// A memory size as `postgresql.conf` reads it: digits and a unit.
fn check_size(errors: &mut Vec<ConfigError>, path: &[&str], size: &str) {
    let digits = size.bytes().take_while(u8::is_ascii_digit).count();
    let valid = digits > 0 && ["kB", "MB", "GB", "TB"].contains(&&size[digits..]);
    if !valid {
        errors.push(
            ConfigError::at(path, format!("`{size}` is not a size"))
                .with_help("write a number and a unit: `kB`, `MB`, `GB` or `TB`, e.g. `256MB`"),
        );
    }
}

fn is_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}
