//! The ingress-nginx plugin's render logic, run natively.

use stackc_plugin_ingress_nginx::{CHART, CHART_VERSION, IngressNginx, REPOSITORY};
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, expose, render};
use stackc_plugin_sdk::{Artifact, EndpointRole, HelmRelease};

fn config() -> Value {
    json!({
        "namespace": "ingress-nginx",
        "load-balancer-ip": "10.20.0.200",
        "default-class": true,
        "replicas": 3,
        "resources": {"cpu": "200m", "memory": "256Mi"},
    })
}

fn release(artifacts: &[Artifact]) -> &HelmRelease {
    assert_eq!(artifacts.len(), 1, "one release and nothing else: {artifacts:?}");
    match &artifacts[0] {
        Artifact::HelmRelease(r) => r,
        other => panic!("not a Helm release: {other:?}"),
    }
}

#[test]
fn a_fixed_address_and_the_default_class() {
    let artifacts = render::<IngressNginx>(&config(), &context("ingress", &[])).expect("renders");
    let release = release(&artifacts);
    assert_eq!(
        (release.name.as_str(), release.chart.as_str(), release.repository.as_str(), release.version.as_str()),
        ("ingress", CHART, REPOSITORY, CHART_VERSION)
    );
    assert_eq!(release.namespace, "ingress-nginx");
    insta::assert_snapshot!("fixed_address_values", release.values);
}

#[test]
fn defaults_are_two_replicas_of_class_nginx_with_an_address_from_the_pool() {
    let artifacts = render::<IngressNginx>(&json!({}), &context("ingress", &[])).expect("renders");
    let values = &release(&artifacts).values;
    assert_eq!(release(&artifacts).namespace, "ingress-nginx");
    assert!(values.contains("  ingressClass: nginx\n") && values.contains("    default: false\n"), "{values}");
    assert!(values.contains("  replicaCount: 2\n  minAvailable: 1\n"), "{values}");
    assert!(values.contains("    type: LoadBalancer\n") && !values.contains("metallb.io/"), "{values}");
    assert!(!values.contains("  resources:"), "{values}");
}

#[test]
fn memory_alone_keeps_the_charts_cpu_request() {
    let artifacts =
        render::<IngressNginx>(&json!({"resources": {"memory": "128Mi"}}), &context("ingress", &[])).expect("renders");
    let values = &release(&artifacts).values;
    assert!(values.contains("    requests:\n      memory: \"128Mi\"\n\n"), "{values}");
    assert!(!values.contains("cpu:"), "{values}");
}

#[test]
fn exports_http_https_and_metrics() {
    let exports = expose::<IngressNginx>("ingress", &config()).expect("exposes");
    let endpoints: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.role)).collect();
    assert_eq!(
        endpoints,
        [
            ("http", 80, EndpointRole::Service),
            ("https", 443, EndpointRole::Service),
            ("metrics", 10254, EndpointRole::Metrics)
        ]
    );
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "namespace": "Ingress",
        "class": "Nginx Public",
        "replicas": 1,
        "load-balancer-ip": "10.20.0.300",
        "resources": {"cpu": "lots", "memory": "1 GiB"},
    });
    let errors = render::<IngressNginx>(&config, &context("ingress", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn hosts_are_refused() {
    let errors = render::<IngressNginx>(&config(), &context("ingress", &[("lb1", "10.0.0.1")])).unwrap_err();
    assert!(errors[0].message.contains("runs in the cluster"), "{errors:?}");
}
