//! The prometheus-helm plugin's render logic, run natively.

use stackc_plugin_prometheus_helm::{APP_VERSION, CHART, CHART_VERSION, PrometheusHelm, REPOSITORY};
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{cluster_endpoint, context, endpoint, expose, reference, render};
use stackc_plugin_sdk::{Artifact, EndpointRole, HelmRelease, PlacedEndpoint, ServicePort};

/// An exporter behind port `port_name` of Service `namespace/kube_service`.
fn in_cluster(service: &str, namespace: &str, kube_service: &str, port_name: &str, port: u16) -> PlacedEndpoint {
    let service_port = ServicePort {
        namespace: namespace.to_owned(),
        service: kube_service.to_owned(),
        port_name: port_name.to_owned(),
    };
    PlacedEndpoint {
        path: "/metrics".to_owned(),
        ..cluster_endpoint(service, "metrics", port, EndpointRole::Metrics, service_port)
    }
}

fn config() -> Value {
    let redis = [in_cluster("redis", "data", "redis-metrics", "http-metrics", 9121)];
    let api = [in_cluster("api", "apps", "api", "metrics", 9100)];
    json!({
        "namespace": "monitoring",
        "version": "v3.14.0",
        "retention-days": 30,
        "scrape": {
            "redis": {"metrics": reference("redis.metrics", &redis)},
            "apps": {"metrics": [reference("api.metrics", &api), reference("redis.metrics", &redis)]},
        },
    })
}

fn release(artifacts: &[Artifact]) -> &HelmRelease {
    match artifacts {
        [Artifact::HelmRelease(r)] => r,
        other => panic!("expected one Helm release, got {other:?}"),
    }
}

#[test]
fn cluster_services_are_discovered_in_the_cluster() {
    let artifacts = render::<PrometheusHelm>(&config(), &context("prometheus", &[])).expect("renders");
    let release = release(&artifacts);
    assert_eq!(
        (release.name.as_str(), release.chart.as_str(), release.repository.as_str(), release.version.as_str()),
        ("prometheus", CHART, REPOSITORY, CHART_VERSION)
    );
    assert_eq!(release.namespace, "monitoring");
    insta::assert_snapshot!("cluster_values", release.values);
}

#[test]
fn services_on_hosts_are_listed_by_address() {
    let exporters = [
        endpoint("db", "db1", "10.0.0.21", "metrics", 9121, EndpointRole::Metrics),
        endpoint("db", "db2", "10.0.0.22", "metrics", 9121, EndpointRole::Metrics),
    ];
    let config = json!({
        "namespace": "monitoring",
        "persistence": false,
        "pushgateway": false,
        "scrape": {"db": {"metrics": reference("db.metrics", &exporters), "interval": "15s"}},
    });
    let artifacts = render::<PrometheusHelm>(&config, &context("prometheus", &[])).expect("renders");
    insta::assert_snapshot!("static_values", release(&artifacts).values);
}

#[test]
fn the_version_is_the_image_tag() {
    for (version, tag) in [("3.1.0", "v3.1.0"), ("v2.53.1", "v2.53.1"), ("v3.0.0-rc.1", "v3.0.0-rc.1")] {
        let mut config = config();
        config["version"] = json!(version);
        let artifacts = render::<PrometheusHelm>(&config, &context("prometheus", &[])).expect("renders");
        assert!(release(&artifacts).values.contains(&format!("    tag: {tag}\n")), "{version}");
    }
    let mut config = config();
    config.as_object_mut().expect("object").remove("version");
    let artifacts = render::<PrometheusHelm>(&config, &context("prometheus", &[])).expect("renders");
    assert!(release(&artifacts).values.contains(&format!("    tag: {APP_VERSION}\n")));
}

#[test]
fn exports_the_server() {
    let exports = expose::<PrometheusHelm>("prometheus", &config()).expect("exposes");
    let endpoints: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.role)).collect();
    assert_eq!(endpoints, [("http", 80, EndpointRole::Service)]);
    let port = exports.endpoints[0].in_cluster.as_ref().expect("a Service port");
    assert_eq!(
        (port.namespace.as_str(), port.service.as_str(), port.port_name.as_str()),
        ("monitoring", "prometheus-server", "http")
    );
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let not_metrics = [endpoint("web", "web1", "10.0.0.1", "http", 80, EndpointRole::Service)];
    let config = json!({
        "namespace": "monitoring",
        "version": "3.14",
        "retention-days": 0,
        "volume-size": "big",
        "scrape": {
            "web": {"metrics": reference("web.http", &not_metrics), "interval": "often"},
            "mixed": {"metrics": [
                reference("web.http", &not_metrics),
                reference("redis.metrics", &[in_cluster("redis", "data", "redis-metrics", "http-metrics", 9121)]),
            ]},
            "nowhere": {"metrics": reference("old.metrics", &[])},
        },
    });
    let errors = render::<PrometheusHelm>(&config, &context("prometheus", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn build_metadata_is_not_a_tag() {
    let mut config = config();
    config["version"] = json!("3.14.0+build1");
    let errors = render::<PrometheusHelm>(&config, &context("prometheus", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["version"]);
    assert!(errors[0].message.contains("+build"), "{errors:?}");
}

#[test]
fn alerts_cover_the_scrape_jobs_and_the_clusters_objects() {
    let mut config = config();
    config["alerts"] = json!(true);
    let artifacts = render::<PrometheusHelm>(&config, &context("prometheus", &[])).expect("renders");
    let values = &release(&artifacts).values;
    let rules = &values[values.find("serverFiles:").expect("alerting rules")..];
    insta::assert_snapshot!("alerting_rules", rules);

    config["kube-state-metrics"] = json!(false);
    config["scrape"] = json!({});
    let errors = render::<PrometheusHelm>(&config, &context("prometheus", &[])).unwrap_err();
    assert_eq!(errors[0].path, ["alerts"]);
}
