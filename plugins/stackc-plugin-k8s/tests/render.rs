//! The k8s plugin's render logic, run natively.

use stackc_plugin_k8s::K8s;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole, KubeSecret};

fn api() -> Value {
    let cache = [endpoint("cache", "db1", "10.0.0.5", "http", 8080, EndpointRole::Service)];
    let mut fact = reference("prometheus.url", &[]);
    fact["value"] = json!("http://prometheus-server.monitoring.svc");
    json!({
        "namespace": "apps",
        "image": "registry.example.org/api:1.4.2",
        "args": ["--listen", ":8080"],
        "ports": {"http": 8080, "metrics": 9100},
        "health": "/healthz",
        "env": {
            "LOG_LEVEL": "info",
            "WORKERS": 4,
            "DB_PASSWORD": secret("db-password"),
            "CACHE_URL": reference("cache.http", &cache),
            "PROMETHEUS_URL": fact,
        },
        "files": {"/etc/api": {"api.toml": "workers = 4\n\n[log]\nlevel = \"info\"\n"}},
        "resources": {"cpu": "250m", "memory": "256Mi"},
        "ingress": {"host": "api.example.org", "class": "nginx", "tls": "api-tls"},
        "autoscale": {"min": 2, "max": 6, "cpu": 70},
        "rule": {"resources": "configmaps", "verbs": ["get", "list", "watch"]},
    })
}

fn objects(artifacts: &[Artifact]) -> Vec<(&str, &str)> {
    artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::KubeObject(o) => Some((o.name.as_str(), o.yaml.as_str())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_deployment_with_everything() {
    let artifacts = render::<K8s>(&api(), &context("api", &[])).expect("renders");
    let objects = objects(&artifacts);
    let names: Vec<&str> = objects.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "serviceaccount",
            "role",
            "rolebinding",
            "configmap",
            "service",
            "deployment",
            "ingress",
            "horizontalpodautoscaler"
        ]
    );
    let all: String = objects.iter().map(|(n, y)| format!("# {n}.yaml\n{y}---\n")).collect();
    insta::assert_snapshot!("deployment_objects", all);
    // The password is read from the service's Secret, filled at deploy time.
    let secrets: Vec<&KubeSecret> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::KubeSecret(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(secrets.len(), 1);
    assert_eq!((secrets[0].name.as_str(), secrets[0].namespace.as_str()), ("api-env", "apps"));
    assert_eq!(secrets[0].entries, [("db-password".to_owned(), "db-password".to_owned())]);
}

#[test]
fn a_statefulset_claims_a_volume_per_pod() {
    let config = json!({
        "namespace": "apps",
        "image": "docker.io/grafana/grafana:12.1.1",
        "kind": "statefulset",
        "ports": {"http": 3000},
        "volume": {"data": {"mount": "/var/lib/grafana", "size": "2Gi", "storage-class": "fast"}},
    });
    let artifacts = render::<K8s>(&config, &context("grafana", &[])).expect("renders");
    let objects = objects(&artifacts);
    let names: Vec<&str> = objects.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["serviceaccount", "service", "statefulset"]);
    insta::assert_snapshot!("statefulset", objects[2].1);
}

#[test]
fn exports_one_endpoint_per_port() {
    let exports = expose::<K8s>("api", &api()).expect("exposes");
    let endpoints: Vec<_> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.path.as_str(), e.role)).collect();
    assert_eq!(
        endpoints,
        [("http", 8080, "/", EndpointRole::Service), ("metrics", 9100, "/metrics", EndpointRole::Metrics)]
    );
    // Behind the ports of the same names of the Service named after the service.
    let ports: Vec<_> = exports
        .endpoints
        .iter()
        .map(|e| e.in_cluster.as_ref().map(|p| (p.namespace.as_str(), p.service.as_str(), p.port_name.as_str())))
        .collect();
    assert_eq!(ports, [Some(("apps", "api", "http")), Some(("apps", "api", "metrics"))]);
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "namespace": "apps",
        "image": "api:1",
        "ports": {"http": 70000},
        "env": {"1BAD": "x", "UPSTREAM": reference("other.http", &[])},
        "files": {"etc": {"a/b": "x"}},
        "volume": {"data": {"mount": "/data"}},
        "ingress": {"host": "api.example.org", "port": "web"},
        "autoscale": {"min": 3, "max": 2},
    });
    let errors = render::<K8s>(&config, &context("api", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}
