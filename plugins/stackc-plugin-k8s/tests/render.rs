//! The k8s plugin's render logic, run natively.

use stackc_plugin_k8s::K8s;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{cluster_endpoint, context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole, KubeSecret, ServicePort};

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
    assert_eq!(names, ["serviceaccount", "service", "service-headless", "statefulset"]);
    // The StatefulSet's pods are named through the headless Service, beside the normal one.
    insta::assert_snapshot!("statefulset", objects[3].1);
    insta::assert_snapshot!("headless_service", objects[2].1);
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

/// S3's application: settings in a ConfigMap, a load balancer, a private registry, a
/// migration before start, a disruption budget and a network policy.
fn tasktracker() -> Value {
    let port = |namespace: &str, service: &str| ServicePort {
        namespace: namespace.to_owned(),
        service: service.to_owned(),
        port_name: "http".to_owned(),
    };
    let db = [cluster_endpoint("db", "postgres", 5432, EndpointRole::Service, port("tasks", "db"))];
    let prometheus =
        [cluster_endpoint("prometheus", "http", 9090, EndpointRole::Service, port("monitoring", "prometheus-server"))];
    json!({
        "namespace": "tasks",
        "image": "registry.tasks.internal:5000/tasktracker/api:1.0.0",
        "command": ["uvicorn", "app.main:app"],
        "args": ["--host", "0.0.0.0", "--port", "8000"],
        "ports": {"http": 8000},
        "health": "/healthz",
        "env": {
            "LOG_LEVEL": "info",
            "DB_HOST": reference("db.postgres", &db),
            "DB_PASSWORD": secret("db-password"),
        },
        "env-from": "config-map",
        "service": {"type": "load-balancer", "address": "10.20.0.201"},
        "ingress": {"host": "tasks.example.org", "class": "nginx"},
        "security": {"run-as-user": 10001, "fs-group": 10001, "read-only-root": true},
        "replicas": 3,
        "disruption": {"min-available": 2},
        "network-policy": {"allow-from": ["web", reference("prometheus.http", &prometheus)]},
        "image-pull-secrets": "registry-credentials",
        "init": [
            {"name": "wait-for-db", "image": "docker.io/library/busybox:1.36",
             "command": ["sh", "-c", "until nc -z db.tasks.svc.cluster.local 5432; do sleep 2; done"]},
            {"command": ["alembic", "upgrade", "head"]},
        ],
    })
}

#[test]
fn an_application_with_the_pod_level_keys() {
    let artifacts = render::<K8s>(&tasktracker(), &context("api", &[])).expect("renders");
    let objects = objects(&artifacts);
    let names: Vec<&str> = objects.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["serviceaccount", "configmap-env", "service", "deployment", "poddisruptionbudget", "networkpolicy", "ingress"]
    );
    let all: String = objects.iter().map(|(n, y)| format!("# {n}.yaml\n{y}---\n")).collect();
    insta::assert_snapshot!("pod_level_objects", all);
    // Only the secret stays in the Secret; the rest is in the ConfigMap.
    let secrets: Vec<_> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::KubeSecret(s) => Some(s.entries.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(secrets, [vec![("db-password".to_owned(), "db-password".to_owned())]]);
}

#[test]
fn running_as_root_is_an_explicit_choice() {
    let config = json!({
        "namespace": "apps",
        "image": "docker.io/library/nginx:1.27",
        "ports": {"http": 80},
        "security": {"run-as-root": true},
    });
    let artifacts = render::<K8s>(&config, &context("legacy", &[])).expect("renders");
    let deployment = objects(&artifacts).into_iter().find(|(n, _)| *n == "deployment").expect("deployment").1;
    assert!(!deployment.contains("runAsNonRoot"), "{deployment}");
    assert!(!deployment.contains("capabilities"), "{deployment}");
    assert!(deployment.contains("seccompProfile:\n          type: RuntimeDefault\n"), "{deployment}");
    assert!(deployment.contains("allowPrivilegeEscalation: false\n"), "{deployment}");
    // By default the same pod runs as non-root without capabilities.
    let secure = render::<K8s>(&json!({"namespace": "apps", "image": "api:1"}), &context("api", &[])).expect("renders");
    let deployment = objects(&secure).into_iter().find(|(n, _)| *n == "deployment").expect("deployment").1;
    assert!(deployment.contains("runAsNonRoot: true\n"), "{deployment}");
    assert!(deployment.contains("drop: [\"ALL\"]\n"), "{deployment}");
}

#[test]
fn a_network_policy_alone_admits_only_the_ingress_controller() {
    let config = json!({
        "namespace": "apps",
        "image": "api:1",
        "ports": {"http": 8080, "metrics": 9100},
        "ingress": {"host": "api.example.org", "port": "http"},
        "network-policy": true,
    });
    let artifacts = render::<K8s>(&config, &context("api", &[])).expect("renders");
    let policy = objects(&artifacts).into_iter().find(|(n, _)| *n == "networkpolicy").expect("policy").1;
    insta::assert_snapshot!("network_policy_alone", policy);
}

#[test]
fn bad_pod_level_keys_are_reported_at_their_paths() {
    let outside = [endpoint("cache", "db1", "10.0.0.5", "redis", 6379, EndpointRole::Service)];
    let config = json!({
        "namespace": "apps",
        "image": "api:1",
        "command": [""],
        "ports": {"http": 8080},
        "service": {"address": "10.20.0.300"},
        "security": {"run-as-user": 0, "fs-group": -1},
        "replicas": 2,
        "disruption": {"min-available": 2},
        "network-policy": {"allow-from": ["Web", reference("cache.redis", &outside)], "ingress-namespace": "Ingress"},
        "image-pull-secrets": ["registry-credentials", "registry credentials"],
        "init": [{"name": "api", "image": "bad image"}, {"args": [""]}],
    });
    let errors = render::<K8s>(&config, &context("api", &[])).unwrap_err();
    let found: Vec<_> =
        errors.iter().map(|e| (e.path.join("."), e.message.as_str(), e.help.as_deref().unwrap_or(""))).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn a_disruption_budget_names_one_bound_and_leaves_room_to_drain() {
    let errors = |disruption: Value| {
        let config = json!({"namespace": "apps", "image": "api:1", "replicas": 3, "disruption": disruption});
        render::<K8s>(&config, &context("api", &[]))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.path.join("."), e.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(errors(json!({"max-unavailable": 1})), []);
    assert_eq!(errors(json!({"min-available": 2})), []);
    assert_eq!(
        errors(json!({"min-available": 1, "max-unavailable": 1})),
        [("disruption".to_owned(), "a disruption budget has either `min-available` or `max-unavailable`".to_owned())]
    );
    assert_eq!(
        errors(json!({"max-unavailable": 0})),
        [("disruption.max-unavailable".to_owned(), "0 unavailable would block every node drain".to_owned())]
    );
}
