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

fn probe(service: &str, host: &str, address: &str, name: &str, port: u16, path: &str) -> PlacedEndpoint {
    PlacedEndpoint { path: path.to_owned(), ..endpoint(service, host, address, name, port, EndpointRole::Service) }
}

/// The seed's entry points: the balancers' `api` frontend and the landing page, probed
/// through a blackbox exporter, and the balancers' own metrics.
fn slo_config() -> stackc_plugin_sdk::serde_json::Value {
    let via = [probe("blackbox", "mon1", "10.0.0.13", "probe", 9115, "/probe")];
    let lb = [probe("lb", "lb1", "10.0.0.21", "api", 80, "/"), probe("lb", "lb2", "10.0.0.22", "api", 80, "/")];
    let web = [probe("web", "web1", "10.0.0.31", "http", 80, "/")];
    let lb_metrics = [metrics("lb", "lb1", "10.0.0.21", 8405), metrics("lb", "lb2", "10.0.0.22", 8405)];
    json!({
        "probe": {
            "api": {
                "via": reference("blackbox.probe", &via),
                "targets": [reference("lb.api", &lb)],
                "paths": ["/", "/кільце-кільце"],
            },
            "landing": {
                "via": reference("blackbox.probe", &via),
                "targets": reference("web.http", &web),
                "paths": ["/", "/api/"],
                "slower-than": "1500ms",
            },
        },
        "balancers": reference("lb.metrics", &lb_metrics),
    })
}

fn slo_context() -> stackc_plugin_sdk::RenderContext {
    let mut ctx = monitoring_context();
    ctx.stack_endpoints.push(metrics("lb", "lb1", "10.0.0.21", 8405));
    ctx.stack_endpoints.push(metrics("lb", "lb2", "10.0.0.22", 8405));
    ctx
}

fn bundle_file(artifacts: &[Artifact], path: &str) -> String {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::BundleFile(f) if f.path == path => Some(String::from_utf8(f.contents.clone()).unwrap()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no bundle file {path}"))
}

#[test]
fn probes_are_scrape_jobs_with_one_encoded_url_per_host_and_path() {
    let artifacts = render::<Prometheus>(&slo_config(), &slo_context()).expect("renders");
    let main = host_file(&artifacts, "mon1", "/etc/prometheus/prometheus.yml");
    insta::assert_snapshot!("prometheus_yml_probes", main);
    for url in [
        "\"http://10.0.0.21:80/\"",
        "\"http://10.0.0.22:80/%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5-%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5\"",
        "\"http://10.0.0.31:80/api/\"",
    ] {
        assert!(main.contains(url), "no target {url}:\n{main}");
    }
    assert!(!main.contains("кільце"), "paths go out percent-encoded:\n{main}");
    assert!(main.contains("job_name: \"probe-api\"") && main.contains("replacement: \"10.0.0.13:9115\""), "{main}");
}

#[test]
fn service_level_alerts_and_their_unit_tests() {
    let artifacts = render::<Prometheus>(&slo_config(), &slo_context()).expect("renders");
    let rules = host_file(&artifacts, "mon1", "/etc/prometheus/rules/prometheus.yml");
    insta::assert_snapshot!("rules_slo", rules);
    assert!(rules.contains(r#"probe_duration_seconds{job="probe-landing"} > 1.5"#), "{rules}");
    assert!(rules.contains(r#"haproxy_backend_http_responses_total{job="lb",code="5xx"}[60s]"#), "{rules}");
    insta::assert_snapshot!("rules_test_slo", bundle_file(&artifacts, "rules_test.yml"));
}

#[test]
fn without_probes_or_balancers_the_rules_are_the_host_ones() {
    let artifacts = render::<Prometheus>(&config(), &monitoring_context()).expect("renders");
    let rules = host_file(&artifacts, "mon1", "/etc/prometheus/rules/prometheus.yml");
    assert!(!rules.contains("slo") && !rules.contains("probe_"), "{rules}");
    assert!(!bundle_file(&artifacts, "rules_test.yml").contains("probe_"));
}

#[test]
fn probes_and_balancers_are_checked() {
    let via = [
        probe("blackbox", "mon1", "10.0.0.13", "probe", 9115, "/probe"),
        probe("blackbox", "mon2", "10.0.0.14", "probe", 9115, "/probe"),
    ];
    let lb = [probe("lb", "lb1", "10.0.0.21", "api", 80, "/")];
    let config = json!({
        "probe": {
            "node": {"via": reference("blackbox.probe", &via), "targets": reference("lb.api", &lb), "paths": "health", "slower-than": "2 s"},
        },
        "balancers": reference("lb.api", &lb),
    });
    let mut ctx = slo_context();
    ctx.stack_endpoints.push(metrics("probe-node", "mon1", "10.0.0.13", 9999));
    let errors = render::<Prometheus>(&config, &ctx).expect_err("rejects");
    let found: Vec<(String, &str)> = errors.iter().map(|e| (e.path.join("/"), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("probe/node".to_owned(), "the job `probe-node` already scrapes a service"),
            ("probe/node/via".to_owned(), "`blackbox.probe` is on several hosts: probes go through one exporter"),
            ("probe/node/paths/0".to_owned(), "`health` is not a path"),
            ("probe/node/slower-than".to_owned(), "`2 s` is not a duration"),
            ("balancers/0".to_owned(), "`lb.api` is not a metrics endpoint"),
        ]
    );
}
