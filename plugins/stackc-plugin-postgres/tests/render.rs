//! The postgres plugin's render logic, run natively.

use stackc_plugin_postgres::Postgres;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole, PlacedEndpoint};

fn primary_config() -> Value {
    json!({
        "networks": ["data", "backend"],
        "database": "shop",
        "user": "shop",
        "password": secret("db-password"),
        "replication": {"password": secret("replication-password")},
    })
}

/// The primary `db` as a reference resolves in the Compose project: the container's name.
fn primary_endpoint() -> PlacedEndpoint {
    PlacedEndpoint {
        protocol: "postgresql".to_owned(),
        ..endpoint("db", "octopus", "db", "postgres", 5432, EndpointRole::Service)
    }
}

fn replica_config() -> Value {
    json!({
        "role": "replica",
        "primary": reference("db.postgres", &[primary_endpoint()]),
        "networks": "data",
        "replication": {"password": secret("replication-password")},
    })
}

fn container<'a>(artifacts: &'a [Artifact], name: &str) -> &'a Container {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::Container(c) if c.name == name => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no container `{name}`"))
}

fn file<'a>(container: &'a Container, path: &str) -> &'a str {
    let file = container.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"));
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

fn env<'a>(container: &'a Container, name: &str) -> Option<&'a str> {
    container.environment.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Everything about the container but its files' contents, which have snapshots of their own.
fn outline(container: &Container) -> String {
    let mut text = format!("image: {}\nuser: {}\n", container.image, container.user);
    text.push_str(&format!("entrypoint: {:?}\ncommand: {:?}\n", container.entrypoint, container.command));
    for (name, value) in &container.environment {
        text.push_str(&format!("env {name}={value}\n"));
    }
    for (name, secret) in &container.secret_environment {
        text.push_str(&format!("secret env {name} <- {secret}\n"));
    }
    for f in &container.files {
        text.push_str(&format!("file {} ({:o})\n", f.path, f.mode));
    }
    for f in &container.secret_files {
        text.push_str(&format!("secret file {} <- {}\n", f.path, f.secret));
    }
    for v in &container.volumes {
        text.push_str(&format!("volume {} at {} (read-only {})\n", v.volume, v.target, v.read_only));
    }
    text.push_str(&format!("networks: {:?}\nports: {:?}\n", container.networks, container.ports));
    text.push_str(&format!("healthcheck: {:?}\nrestart: {:?}\n", container.healthcheck, container.restart));
    text
}

#[test]
fn a_primary_with_a_replication_role() {
    let artifacts = render::<Postgres>(&primary_config(), &compose_context("db", "octopus")).expect("renders");
    let db = container(&artifacts, "db");
    insta::assert_snapshot!("primary_container", outline(db));
    insta::assert_snapshot!("postgresql_conf", file(db, "/etc/postgresql/postgresql.conf"));
    insta::assert_snapshot!("primary_pg_hba_conf", file(db, "/etc/postgresql/pg_hba.conf"));
    insta::assert_snapshot!(
        "create_replication_role_sh",
        file(db, "/docker-entrypoint-initdb.d/10-create-replication-role.sh")
    );
    assert!(artifacts.contains(&stackc_plugin_sdk::Volume::new("db-data").into()));
    assert_eq!(artifacts.len(), 2, "a container and its volume: {artifacts:?}");
}

#[test]
fn a_replica_copies_and_follows_its_primary() {
    let artifacts = render::<Postgres>(&replica_config(), &compose_context("db-replica", "octopus")).expect("renders");
    let replica = container(&artifacts, "db-replica");
    insta::assert_snapshot!("replica_container", outline(replica));
    insta::assert_snapshot!("start_replica_sh", file(replica, "/etc/postgresql/start-replica.sh"));
    // The primary's address is its container's name, given to the entrypoint.
    assert_eq!(env(replica, "PRIMARY_HOST"), Some("db"));
    assert_eq!(env(replica, "PRIMARY_PORT"), Some("5432"));
    // The same server configuration as the primary's: a replica can be promoted.
    let primary = render::<Postgres>(&primary_config(), &compose_context("db", "octopus")).expect("renders");
    let strip = |text: &str| text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    for path in ["/etc/postgresql/postgresql.conf", "/etc/postgresql/pg_hba.conf"] {
        assert_eq!(strip(file(replica, path)), strip(file(container(&primary, "db"), path)), "{path}");
    }
    assert!(artifacts.contains(&stackc_plugin_sdk::Volume::new("db-replica-data").into()));
}

#[test]
fn no_secret_value_and_no_replication_without_its_block() {
    let config = json!({"password": secret("db-password"), "publish": 15432, "publish-address": "127.0.0.1"});
    let artifacts = render::<Postgres>(&config, &compose_context("db", "octopus")).expect("renders");
    let db = container(&artifacts, "db");
    assert!(db.files.iter().all(|f| !f.path.starts_with("/docker-entrypoint-initdb.d/")), "{db:?}");
    assert!(!file(db, "/etc/postgresql/pg_hba.conf").contains("replication"));
    assert_eq!(env(db, "POSTGRES_DB"), Some("app"));
    assert_eq!(env(db, "POSTGRES_USER"), Some("app"));
    assert_eq!(env(db, "POSTGRES_PASSWORD_FILE"), Some("/run/secrets/db-password"));
    let secrets: Vec<_> = db.secret_files.iter().map(|f| (f.path.as_str(), f.secret.as_str())).collect();
    assert_eq!(secrets, [("/run/secrets/db-password", "db-password")]);
    let ports: Vec<_> = db.ports.iter().map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port)).collect();
    assert_eq!(ports, [(Some("127.0.0.1"), 15432, 5432)]);
}

#[test]
fn nothing_is_published_by_default() {
    let artifacts = render::<Postgres>(&primary_config(), &compose_context("db", "octopus")).expect("renders");
    assert!(container(&artifacts, "db").ports.is_empty());
}

#[test]
fn renders_the_same_bytes_twice() {
    let context = compose_context("db-replica", "octopus");
    assert_eq!(render::<Postgres>(&replica_config(), &context), render::<Postgres>(&replica_config(), &context));
}

#[test]
fn exports_the_server_and_a_primarys_database() {
    let exports = expose::<Postgres>("db", &primary_config()).expect("exposes");
    let endpoints: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.protocol.as_str())).collect();
    assert_eq!(endpoints, [("postgres", 5432, "postgresql")]);
    let facts: Vec<_> = exports.facts.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
    assert_eq!(facts, [("database", "shop"), ("user", "shop")]);
    let replica = expose::<Postgres>("db", &replica_config()).expect("exposes");
    assert_eq!(replica.endpoints.len(), 1);
    assert!(replica.facts.is_empty());
}

fn errors(config: &Value, context: &stackc_plugin_sdk::RenderContext) -> Vec<(String, String)> {
    render::<Postgres>(config, context).unwrap_err().into_iter().map(|e| (e.path.join("."), e.message)).collect()
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "database": "Shop-DB",
        "replication": {"user": "app", "password": secret("r")},
        "primary": reference("db.postgres", &[primary_endpoint()]),
        "networks": ["data", "Bad Net"],
        "shared-buffers": "128 MB",
        "wal-keep-size": "1G",
        "publish-address": "127.0.0.1",
    });
    insta::assert_debug_snapshot!(errors(&config, &compose_context("db", "octopus")));
}

#[test]
fn a_replica_needs_a_primary_and_a_role_and_takes_no_database() {
    let config = json!({"role": "replica", "database": "shop", "password": secret("p")});
    insta::assert_debug_snapshot!(errors(&config, &compose_context("db-replica", "octopus")));
    let wrong = json!({
        "role": "replica",
        "primary": reference("cache.redis", &[endpoint("cache", "octopus", "cache", "redis", 6379, EndpointRole::Service)]),
        "replication": {"password": secret("r")},
    });
    assert_eq!(
        errors(&wrong, &compose_context("db-replica", "octopus")),
        [("primary".to_owned(), "`cache.redis` is not a PostgreSQL server".to_owned())]
    );
}

#[test]
fn it_runs_in_a_compose_project_only() {
    let errors = render::<Postgres>(&primary_config(), &context("db", &[("db1", "10.0.0.5")])).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "the postgres plugin runs in a Compose project");
    assert!(errors[0].path.is_empty());
    assert_eq!(errors[0].help.as_deref(), Some("place it on the stack's Compose project: `on=\"<project>\"`"));
}

#[test]
fn misspelled_keys_are_reported_with_a_suggestion() {
    let config = json!({"password": secret("p"), "replicaton": {"password": secret("r")}, "role": "standby"});
    let errors = render::<Postgres>(&config, &compose_context("db", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str(), e.help.as_deref())).collect();
    insta::assert_debug_snapshot!(found);
}
