//! The postgresql-helm plugin's render logic, run natively.

use stackc_plugin_postgresql_helm::{CHART, CHART_VERSION, PostgresqlHelm, REPOSITORY};
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, expose, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole, HelmRelease, KubeSecret};

fn config() -> Value {
    json!({
        "namespace": "tasks",
        "database": "tasks",
        "user": "tasks",
        "password": secret("db-password"),
        "admin-password": secret("db-admin-password"),
    })
}

fn replicated() -> Value {
    let mut config = config();
    config["architecture"] = json!("replication");
    config["read-replicas"] = json!(2);
    config["replication-password"] = secret("db-replication-password");
    config["volume-size"] = json!("20Gi");
    config["storage-class"] = json!("local-path");
    config["resources"] = json!({"cpu": "500m", "memory": "1Gi"});
    config
}

fn release(artifacts: &[Artifact]) -> &HelmRelease {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::HelmRelease(r) => Some(r),
            _ => None,
        })
        .expect("a Helm release")
}

fn secrets(artifacts: &[Artifact]) -> Vec<&KubeSecret> {
    artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::KubeSecret(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn a_standalone_server_is_one_release_named_after_the_service() {
    let artifacts = render::<PostgresqlHelm>(&config(), &context("db", &[])).expect("renders");
    let release = release(&artifacts);
    assert_eq!(
        (release.name.as_str(), release.chart.as_str(), release.repository.as_str(), release.version.as_str()),
        ("db", CHART, REPOSITORY, CHART_VERSION)
    );
    assert_eq!(release.namespace, "tasks");
    insta::assert_snapshot!("standalone_values", release.values);
}

#[test]
fn replication_adds_read_replicas_with_the_same_volumes() {
    let artifacts = render::<PostgresqlHelm>(&replicated(), &context("db", &[])).expect("renders");
    insta::assert_snapshot!("replication_values", release(&artifacts).values);
}

#[test]
fn the_passwords_are_secret_references_never_values() {
    let artifacts = render::<PostgresqlHelm>(&replicated(), &context("db", &[])).expect("renders");
    let secrets = secrets(&artifacts);
    assert_eq!(secrets.len(), 1);
    assert_eq!((secrets[0].name.as_str(), secrets[0].namespace.as_str()), ("db-auth", "tasks"));
    let entries: Vec<(&str, &str)> = secrets[0].entries.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        entries,
        [
            ("postgres-password", "db-admin-password"),
            ("password", "db-password"),
            ("replication-password", "db-replication-password")
        ]
    );
    let values = &release(&artifacts).values;
    assert!(values.contains("  existingSecret: db-auth\n"), "{values}");
    assert!(!values.contains("  password:") && !values.contains("postgresPassword"), "{values}");
}

#[test]
fn a_standalone_secret_has_no_replication_key() {
    let artifacts = render::<PostgresqlHelm>(&config(), &context("db", &[])).expect("renders");
    let keys: Vec<&str> = secrets(&artifacts)[0].entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["postgres-password", "password"]);
}

#[test]
fn exports_the_client_and_the_exporter() {
    let exports = expose::<PostgresqlHelm>("db", &config()).expect("exposes");
    let endpoints: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.role)).collect();
    assert_eq!(endpoints, [("client", 5432, EndpointRole::Service), ("metrics", 9187, EndpointRole::Metrics)]);
    // The Services and port names the chart makes with `fullnameOverride: <release>`.
    let ports: Vec<_> = exports
        .endpoints
        .iter()
        .filter_map(|e| e.in_cluster.as_ref())
        .map(|p| (p.service.as_str(), p.port_name.as_str()))
        .collect();
    assert_eq!(ports, [("db", "tcp-postgresql"), ("db-metrics", "http-metrics")]);
    let mut quiet = config();
    quiet["metrics"] = json!(false);
    assert_eq!(expose::<PostgresqlHelm>("db", &quiet).expect("exposes").endpoints.len(), 1);
    let artifacts = render::<PostgresqlHelm>(&quiet, &context("db", &[])).expect("renders");
    assert!(release(&artifacts).values.ends_with("metrics:\n  enabled: false\n"));
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "namespace": "Tasks",
        "database": "task-db",
        "user": "postgres",
        "password": secret("p"),
        "admin-password": secret("p"),
        "architecture": "replication",
        "read-replicas": 0,
        "volume-size": "lots",
        "storage-class": "Fast_SSD",
        "resources": {"cpu": "two", "memory": "1GB"},
    });
    let errors = render::<PostgresqlHelm>(&config, &context("db", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn a_replication_password_without_replication_is_refused() {
    let mut config = config();
    config["replication-password"] = secret("r");
    let errors = render::<PostgresqlHelm>(&config, &context("db", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["replication-password"]);
}

#[test]
fn an_unknown_architecture_is_refused_at_its_key() {
    let mut config = config();
    config["architecture"] = json!("cluster");
    let errors = render::<PostgresqlHelm>(&config, &context("db", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["architecture"], "{errors:?}");
}

#[test]
fn a_literal_password_is_refused() {
    let mut config = config();
    config["password"] = json!("hunter2");
    let errors = render::<PostgresqlHelm>(&config, &context("db", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["password"]);
}

#[test]
fn hosts_are_refused() {
    let errors = render::<PostgresqlHelm>(&config(), &context("db", &[("db1", "10.0.0.1")])).unwrap_err();
    assert!(errors[0].message.contains("runs in the cluster"), "{errors:?}");
}
