//! The redis-helm plugin's render logic, run natively.

use stackc_plugin_redis_helm::{CHART, CHART_VERSION, REPOSITORY, RedisHelm};
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, expose, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole, HelmRelease, KubeSecret};

fn config(nodes: i64) -> Value {
    json!({
        "namespace": "data",
        "nodes": nodes,
        "databases": 32,
        "password": secret("redis-password"),
    })
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
fn three_nodes_are_a_master_and_two_replicas() {
    let artifacts = render::<RedisHelm>(&config(3), &context("redis", &[])).expect("renders");
    let release = release(&artifacts);
    assert_eq!(
        (release.name.as_str(), release.chart.as_str(), release.repository.as_str(), release.version.as_str()),
        ("redis", CHART, REPOSITORY, CHART_VERSION)
    );
    assert_eq!(release.namespace, "data");
    insta::assert_snapshot!("replication_values", release.values);
}

#[test]
fn one_node_is_standalone() {
    let artifacts = render::<RedisHelm>(&config(1), &context("cache", &[])).expect("renders");
    let values = &release(&artifacts).values;
    assert!(values.contains("architecture: standalone"), "{values}");
    assert!(!values.contains("replica:"), "{values}");
}

#[test]
fn five_nodes_have_four_replicas() {
    let artifacts = render::<RedisHelm>(&config(5), &context("redis", &[])).expect("renders");
    assert!(release(&artifacts).values.contains("  replicaCount: 4\n"));
}

#[test]
fn persistence_asks_for_volumes() {
    let mut config = config(2);
    config["persistence"] = json!(true);
    config["volume-size"] = json!("2Gi");
    config["storage-class"] = json!("fast");
    let artifacts = render::<RedisHelm>(&config, &context("redis", &[])).expect("renders");
    insta::assert_snapshot!("persistent_values", release(&artifacts).values);
}

#[test]
fn the_password_is_a_secret_reference_never_a_value() {
    let artifacts = render::<RedisHelm>(&config(3), &context("redis", &[])).expect("renders");
    let secrets = secrets(&artifacts);
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].name, "redis-auth");
    assert_eq!(secrets[0].namespace, "data");
    assert_eq!(secrets[0].entries, [("redis-password".to_owned(), "redis-password".to_owned())]);
    let values = &release(&artifacts).values;
    assert!(values.contains("existingSecret: redis-auth\n"), "{values}");
    assert!(!values.contains("  password:"), "{values}");
}

#[test]
fn exports_the_client_and_the_exporter() {
    let exports = expose::<RedisHelm>("redis", &config(3)).expect("exposes");
    let endpoints: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.role)).collect();
    assert_eq!(endpoints, [("client", 6379, EndpointRole::Service), ("metrics", 9121, EndpointRole::Metrics)]);
    // The Services and port names the chart makes with `fullnameOverride: <release>`.
    let ports: Vec<_> = exports
        .endpoints
        .iter()
        .filter_map(|e| e.in_cluster.as_ref())
        .map(|p| (p.service.as_str(), p.port_name.as_str()))
        .collect();
    assert_eq!(ports, [("redis-master", "tcp-redis"), ("redis-metrics", "http-metrics")]);
    let mut quiet = config(3);
    quiet["metrics"] = json!(false);
    assert_eq!(expose::<RedisHelm>("redis", &quiet).expect("exposes").endpoints.len(), 1);
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "namespace": "Data",
        "nodes": 0,
        "databases": -1,
        "password": secret("p"),
        "persistence": true,
        "volume-size": "lots",
    });
    let errors = render::<RedisHelm>(&config, &context("redis", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn a_literal_password_is_refused() {
    let mut config = config(3);
    config["password"] = json!("hunter2");
    let errors = render::<RedisHelm>(&config, &context("redis", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["password"]);
}

#[test]
fn hosts_are_refused() {
    let errors = render::<RedisHelm>(&config(3), &context("redis", &[("db1", "10.0.0.1")])).unwrap_err();
    assert!(errors[0].message.contains("runs in the cluster"), "{errors:?}");
}
