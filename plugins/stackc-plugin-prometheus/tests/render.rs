//! The prometheus plugin's render logic, run natively.

use stackc_plugin_prometheus::Prometheus;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, endpoint, host_file, reference, render};
use stackc_plugin_sdk::{Artifact, EndpointRole, PlacedEndpoint};

fn metrics(service: &str, host: &str, address: &str, port: u16) -> PlacedEndpoint {
    PlacedEndpoint {
        path: "/metrics".to_owned(),
        ..endpoint(service, host, address, "metrics", port, EndpointRole::Metrics)
    }
}

fn monitoring_context() -> stackc_plugin_sdk::RenderContext {
    let mut ctx = context("prometheus", &[("mon1", "10.0.0.13")]);
    ctx.stack_endpoints = vec![
        metrics("node", "web1", "10.0.0.11", 9100),
        metrics("node", "mon1", "10.0.0.13", 9100),
        endpoint("site", "web1", "10.0.0.11", "http", 80, EndpointRole::Service),
        metrics("prometheus", "mon1", "10.0.0.13", 9090),
    ];
    ctx
}

fn config() -> stackc_plugin_sdk::serde_json::Value {
    let am = [endpoint("alertmanager", "mon1", "10.0.0.13", "http", 9093, EndpointRole::Service)];
    json!({"retention": "30d", "alertmanager": reference("alertmanager.http", &am), "high-load": 2.0})
}

#[test]
fn scrape_jobs_come_from_the_stack_endpoints() {
    let artifacts = render::<Prometheus>(&config(), &monitoring_context()).expect("renders");
    let main = host_file(&artifacts, "mon1", "/etc/prometheus/prometheus.yml");
    insta::assert_snapshot!("prometheus_yml", main);
    assert!(main.contains("\"10.0.0.11:9100\""), "{main}");
    assert!(!main.contains(":80\""), "service endpoints are not scraped:\n{main}");
    insta::assert_snapshot!("defaults", host_file(&artifacts, "mon1", "/etc/default/prometheus"));
}

#[test]
fn rules_and_their_unit_tests() {
    let artifacts = render::<Prometheus>(&config(), &monitoring_context()).expect("renders");
    insta::assert_snapshot!("rules", host_file(&artifacts, "mon1", "/etc/prometheus/rules/prometheus.yml"));
    let test = artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::BundleFile(f) if f.path == "rules_test.yml" => {
                Some(String::from_utf8(f.contents.clone()).unwrap())
            }
            _ => None,
        })
        .expect("a rules test file");
    assert!(test.contains("../../hosts/mon1/etc/prometheus/rules/prometheus.yml"));
    insta::assert_snapshot!("rules_test", test);
}

#[test]
fn bad_durations_point_at_their_key() {
    let errors = render::<Prometheus>(&json!({"retention": "15 days"}), &monitoring_context()).expect_err("rejects");
    assert_eq!(errors[0].path, ["retention"]);
}

#[test]
fn in_a_compose_project_the_upstream_image_mounts_the_same_files() {
    use stackc_plugin_sdk::testing::compose_context;
    let mut context = compose_context("prometheus", "shop");
    context.stack_endpoints = vec![endpoint("backend", "backend", "backend", "metrics", 8000, EndpointRole::Metrics)];
    let config = json!({"networks": ["monitoring"], "publish": 9090, "retention": "7d"});
    let artifacts = render::<Prometheus>(&config, &context).expect("renders");
    let container = stackc_plugin_sdk::testing::container(&artifacts, "prometheus");
    assert_eq!(container.name, "prometheus");
    assert_eq!(container.user, "65534:65534");
    assert_eq!(container.networks, ["monitoring"]);
    assert!(container.command.contains(&"--storage.tsdb.retention.time=7d".to_owned()));
    let text = stackc_plugin_sdk::testing::container_file(container, "/etc/prometheus/prometheus.yml");
    assert!(text.contains(r#"- targets: ["backend:8000"]"#), "{text}");
    let rules_test = artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::BundleFile(f) if f.path == "rules_test.yml" => Some(String::from_utf8_lossy(&f.contents)),
            _ => None,
        })
        .expect("the rules' unit test");
    assert!(rules_test.contains("../../compose/files/prometheus/etc/prometheus/rules/prometheus.yml"), "{rules_test}");
    // Nothing for hosts.
    assert!(!artifacts.iter().any(|a| matches!(a, Artifact::HostFile(_) | Artifact::Package(_))));
}
