//! The nginx plugin's render logic, run natively.

use stackc_plugin_nginx::Nginx;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, endpoint, expose, host_file, reference, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole};

fn proxy_config() -> stackc_plugin_sdk::serde_json::Value {
    let upstreams = [
        endpoint("site", "web1", "10.0.0.11", "http", 80, EndpointRole::Service),
        endpoint("site", "web2", "10.0.0.12", "http", 80, EndpointRole::Service),
    ];
    json!({
        "listen": 443,
        "server-name": "www.example.org",
        "tls": {"certificate": secret("cert"), "key": secret("key"), "redirect-from": 80},
        "upstream": {"site": {"servers": reference("site.http", &upstreams), "balance": "least-conn", "keepalive": 16}},
        "location": {"/": {"proxy": "site", "read-timeout": "2s"}},
        "status": {"allow": "10.0.0.0/24"},
    })
}

#[test]
fn reverse_proxy_with_tls_and_keepalive() {
    let artifacts = render::<Nginx>(&proxy_config(), &context("proxy", &[("edge1", "10.0.0.2")])).expect("renders");
    let site = host_file(&artifacts, "edge1", "/etc/nginx/conf.d/proxy.conf");
    insta::assert_snapshot!(site);
    // The secrets are references filled in at deploy time, never contents.
    let secrets: Vec<_> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::SecretFile(f) => Some((f.path.as_str(), f.secret.as_str(), f.mode)),
            _ => None,
        })
        .collect();
    assert_eq!(secrets, [("/etc/nginx/tls/proxy.crt", "cert", 0o644), ("/etc/nginx/tls/proxy.key", "key", 0o600)]);
}

#[test]
fn static_server_and_main_config() {
    let config = json!({"files": {"index.html": "<h1>hi</h1>\n"}, "status": {}});
    let artifacts = render::<Nginx>(&config, &context("site", &[("web1", "10.0.0.11")])).expect("renders");
    insta::assert_snapshot!("static_site", host_file(&artifacts, "web1", "/etc/nginx/conf.d/site.conf"));
    insta::assert_snapshot!("main_conf", host_file(&artifacts, "web1", "/etc/nginx/nginx.conf"));
    assert_eq!(host_file(&artifacts, "web1", "/var/www/site/index.html"), "<h1>hi</h1>\n");
    assert!(artifacts.contains(&Artifact::package("nginx")));
    assert!(artifacts.contains(&Artifact::reloaded_service("nginx")));
}

#[test]
fn each_host_binds_its_own_address() {
    let artifacts =
        render::<Nginx>(&json!({}), &context("site", &[("a", "10.0.0.1"), ("b", "10.0.0.2")])).expect("renders");
    assert!(host_file(&artifacts, "a", "/etc/nginx/conf.d/site.conf").contains("listen 10.0.0.1:80;"));
    assert!(host_file(&artifacts, "b", "/etc/nginx/conf.d/site.conf").contains("listen 10.0.0.2:80;"));
}

#[test]
fn exports_follow_the_config() {
    let plain = expose::<Nginx>("web", &json!({"status": {}})).expect("exposes");
    let names: Vec<_> = plain.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.role)).collect();
    assert_eq!(names, [("http", 80, EndpointRole::Service), ("status", 80, EndpointRole::Status)]);
    let tls = expose::<Nginx>("web", &proxy_config()).expect("exposes");
    let names: Vec<_> = tls.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.protocol.as_str())).collect();
    assert_eq!(names, [("https", 443, "https"), ("http", 80, "http"), ("status", 443, "https")]);
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "location": {"/": {"proxy": "nowhere", "next-upstream": ["error", "sometimes"]}},
        "server-name": "a;b",
    });
    let errors = render::<Nginx>(&config, &context("site", &[("web1", "10.0.0.11")])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn an_upstream_without_endpoints_is_an_error() {
    let config = json!({"upstream": {"app": {"servers": reference("app.http", &[])}}});
    let errors = render::<Nginx>(&config, &context("site", &[("web1", "10.0.0.11")])).unwrap_err();
    assert_eq!(errors[0].path, ["upstream", "app", "servers", "0"]);
}

#[test]
fn rendering_is_deterministic() {
    let ctx = context("proxy", &[("edge1", "10.0.0.2")]);
    assert_eq!(render::<Nginx>(&proxy_config(), &ctx), render::<Nginx>(&proxy_config(), &ctx));
}

#[test]
fn the_exporter_reads_the_status_page_on_every_host() {
    let config = json!({"status": {}, "metrics": {}});
    let hosts = [("web1", "10.0.0.11"), ("web2", "10.0.0.12")];
    let artifacts = render::<Nginx>(&config, &context("web", &hosts)).expect("renders");
    let defaults = "/etc/default/prometheus-nginx-exporter";
    insta::assert_snapshot!("exporter_defaults", host_file(&artifacts, "web1", defaults));
    assert!(host_file(&artifacts, "web2", defaults).contains("-web.listen-address=10.0.0.12:9113"));
    // The exporter connects from the host's own address: the status page lets it in.
    let site = host_file(&artifacts, "web2", "/etc/nginx/conf.d/web.conf");
    assert!(site.contains("        allow 10.0.0.12;\n        deny all;"), "{site}");
    assert!(artifacts.contains(&Artifact::package("prometheus-nginx-exporter")));
    assert!(artifacts.contains(&Artifact::restarted_service("prometheus-nginx-exporter")));
    let exports = expose::<Nginx>("web", &config).expect("exposes");
    let metrics = exports.endpoints.iter().find(|e| e.name == "metrics").expect("a metrics export");
    assert_eq!((metrics.port, metrics.path.as_str(), metrics.role), (9113, "/metrics", EndpointRole::Metrics));
    // Without `metrics`, nothing of the exporter.
    let artifacts = render::<Nginx>(&json!({"status": {}}), &context("web", &hosts)).expect("renders");
    assert!(!artifacts.contains(&Artifact::package("prometheus-nginx-exporter")));
}

#[test]
fn the_exporter_needs_a_status_page_and_a_port_of_its_own() {
    let errors = render::<Nginx>(&json!({"listen": 9113, "metrics": {}}), &context("web", &[("web1", "10.0.0.11")]))
        .expect_err("rejects");
    let found: Vec<(String, &str)> = errors.iter().map(|e| (e.path.join("/"), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("metrics".to_owned(), "the exporter reads the status page, and there is none"),
            ("metrics/port".to_owned(), "port 9113 is taken by nginx"),
        ]
    );
}
