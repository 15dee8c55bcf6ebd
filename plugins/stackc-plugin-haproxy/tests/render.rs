//! The haproxy plugin's render logic, run natively.

use stackc_plugin_haproxy::Haproxy;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, endpoint, expose, host_file, reference, render};
use stackc_plugin_sdk::{Artifact, EndpointRole, TrafficGate};

const CONFIG: &str = "/etc/haproxy/haproxy.cfg";

fn api_servers() -> Value {
    reference(
        "api.http",
        &[
            endpoint("api", "api1", "10.30.0.21", "http", 8080, EndpointRole::Service),
            endpoint("api", "api2", "10.30.0.22", "http", 8080, EndpointRole::Service),
        ],
    )
}

fn balancer_config() -> Value {
    json!({
        "frontend": {"api": {"port": 80, "bind": "10.30.0.100", "backend": "api"}},
        "backend": {"api": {"servers": api_servers(), "balance": "leastconn", "check": {"path": "/health"}}},
    })
}

fn two_balancers() -> stackc_plugin_sdk::RenderContext {
    context("lb", &[("lb1", "10.30.0.11"), ("lb2", "10.30.0.12")])
}

#[test]
fn balancer_with_health_checks_retries_and_metrics() {
    let artifacts = render::<Haproxy>(&balancer_config(), &two_balancers()).expect("renders");
    insta::assert_snapshot!(host_file(&artifacts, "lb1", CONFIG));
    assert!(artifacts.contains(&Artifact::package("haproxy")));
    assert!(artifacts.contains(&Artifact::reloaded_service("haproxy")));
    let checks: Vec<_> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::HttpCheck(c) => Some(c.url.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(checks, ["http://10.30.0.11:8405/metrics", "http://10.30.0.12:8405/metrics"]);
}

#[test]
fn every_server_has_a_traffic_gate_through_the_runtime_api() {
    let artifacts = render::<Haproxy>(&balancer_config(), &two_balancers()).expect("renders");
    let gates: Vec<&TrafficGate> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::TrafficGate(g) => Some(g),
            _ => None,
        })
        .collect();
    let argv = |action: &str, server: &str| {
        ["/usr/local/sbin/haproxy-gate", "/run/haproxy/admin.sock", action, "api", server].map(str::to_owned).to_vec()
    };
    assert_eq!(
        gates,
        [
            &TrafficGate::new("api", "api1", argv("drain", "api-api1"), argv("enable", "api-api1")),
            &TrafficGate::new("api", "api2", argv("drain", "api-api2"), argv("enable", "api-api2")),
        ]
    );
    let script = host_file(&artifacts, "lb2", "/usr/local/sbin/haproxy-gate");
    assert!(script.starts_with("#!/bin/sh\n") && script.contains("state drain"), "{script}");
    assert!(artifacts.contains(&Artifact::package("socat")), "the script speaks to the socket through socat");
}

#[test]
fn each_host_binds_its_own_address_and_the_virtual_ip() {
    let artifacts = render::<Haproxy>(&balancer_config(), &two_balancers()).expect("renders");
    for (host, address) in [("lb1", "10.30.0.11"), ("lb2", "10.30.0.12")] {
        let text = host_file(&artifacts, host, CONFIG);
        assert!(text.contains(&format!("    bind {address}:80\n")), "{host}:\n{text}");
        assert!(text.contains("    bind 10.30.0.100:80 transparent\n"), "{host}:\n{text}");
        assert!(text.contains(&format!("    bind {address}:8405\n")), "{host}:\n{text}");
    }
}

#[test]
fn defaults_are_round_robin_with_checks_on_the_root() {
    let config = json!({
        "frontend": {"www": {"backend": "app"}},
        "backend": {"app": {"servers": api_servers()}},
    });
    let artifacts = render::<Haproxy>(&config, &context("lb", &[("lb1", "10.30.0.11")])).expect("renders");
    let text = host_file(&artifacts, "lb1", CONFIG);
    for line in [
        "    bind 10.30.0.11:80\n",
        "    balance roundrobin\n",
        "    option httpchk GET /\n",
        "    option redispatch 1\n",
        "    retry-on conn-failure empty-response response-timeout 502 503 504\n",
        "    timeout connect 500ms\n",
        "    timeout server 1500ms\n",
        "    server api-api1 10.30.0.21:8080\n",
    ] {
        assert!(text.contains(line), "no `{}` in:\n{text}", line.trim());
    }
    assert!(!text.contains("transparent"), "{text}");
}

#[test]
fn exports_every_frontend_and_the_metrics_endpoint() {
    let config = json!({
        "frontend": {"api": {"port": 80, "backend": "api"}, "admin": {"port": 8080, "backend": "api"}},
        "metrics": {"port": 9101},
    });
    let exports = expose::<Haproxy>("lb", &config).expect("exposes");
    let found: Vec<_> = exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.path.as_str(), e.role)).collect();
    assert_eq!(
        found,
        [
            ("admin", 8080, "/", EndpointRole::Service),
            ("api", 80, "/", EndpointRole::Service),
            ("metrics", 9101, "/metrics", EndpointRole::Metrics),
        ]
    );
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "frontend": {
            "api": {"port": 8405, "bind": ["10.30.0.100", "vip"], "backend": "apu"},
            "metrics": {"port": 81, "backend": "api"},
        },
        "backend": {"api": {
            "servers": api_servers(),
            "retry-on": ["conn-failure", "sometimes"],
            "check": {"path": "health", "interval": "half a second", "status": 700, "fall": 0},
        }},
        "timeouts": {"server": "2 s"},
        "stats-socket": "admin.sock",
    });
    let errors = render::<Haproxy>(&config, &two_balancers()).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn a_backend_without_endpoints_is_an_error() {
    let config = json!({
        "frontend": {"api": {"backend": "api"}},
        "backend": {"api": {"servers": reference("api.http", &[])}},
    });
    let errors = render::<Haproxy>(&config, &two_balancers()).unwrap_err();
    assert_eq!(errors[0].path, ["backend", "api", "servers", "0"]);
    assert_eq!(errors[0].message, "`api.http` has no endpoints");
}

#[test]
fn a_service_without_frontends_or_hosts_is_an_error() {
    let errors = render::<Haproxy>(&json!({}), &context("lb", &[])).unwrap_err();
    let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["an haproxy service needs at least one frontend", "an haproxy service needs hosts to run on"]
    );
}

#[test]
fn rendering_is_deterministic() {
    let ctx = two_balancers();
    assert_eq!(render::<Haproxy>(&balancer_config(), &ctx), render::<Haproxy>(&balancer_config(), &ctx));
}
