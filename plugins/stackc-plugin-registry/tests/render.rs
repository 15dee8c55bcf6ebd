//! The registry plugin's render logic, run natively.

use stackc_plugin_registry::Registry;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, expose, host_file, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole};

const CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

fn config() -> Value {
    json!({
        "users": secret("registry-htpasswd"),
        "tls": {"certificate": CERTIFICATE, "key": secret("registry-key")},
        "delete": true,
        "metrics-port": 5001,
    })
}

#[test]
fn every_host_listens_on_its_own_address() {
    let context = context("registry", &[("reg1", "10.0.0.31"), ("reg2", "10.0.0.32")]);
    let artifacts = render::<Registry>(&config(), &context).expect("renders");
    insta::assert_snapshot!("config_reg1", host_file(&artifacts, "reg1", "/etc/docker/registry/config.yml"));
    let reg2 = host_file(&artifacts, "reg2", "/etc/docker/registry/config.yml");
    assert!(reg2.contains("  addr: 10.0.0.32:5000\n") && reg2.contains("    addr: 10.0.0.32:5001\n"), "{reg2}");
    let secrets: Vec<_> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::SecretFile(f) => Some((f.path.as_str(), f.secret.as_str(), f.mode, f.group.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        secrets,
        [
            ("/etc/docker/registry/htpasswd", "registry-htpasswd", 0o640, Some("docker-registry")),
            ("/etc/docker/registry/tls.key", "registry-key", 0o640, Some("docker-registry")),
        ]
    );
    let checks: Vec<_> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::HttpCheck(c) => Some((c.url.as_str(), c.status, c.insecure)),
            _ => None,
        })
        .collect();
    assert_eq!(checks[0], ("https://10.0.0.31:5000/v2/", 401, true));
    assert_eq!(checks[1], ("http://10.0.0.31:5001/metrics", 200, false));
}

#[test]
fn without_users_or_tls_anyone_may_push_over_http() {
    let artifacts = render::<Registry>(&json!({}), &context("registry", &[("reg1", "10.0.0.31")])).expect("renders");
    let config = host_file(&artifacts, "reg1", "/etc/docker/registry/config.yml");
    assert!(!config.contains("auth:") && !config.contains("tls:") && !config.contains("debug:"), "{config}");
    assert!(config.contains("    rootdirectory: /var/lib/docker-registry\n"), "{config}");
    assert!(!artifacts.iter().any(|a| matches!(a, Artifact::SecretFile(_))));
}

#[test]
fn exports_the_api_and_metrics() {
    let exports = expose::<Registry>("registry", &config()).expect("exposes");
    let endpoints: Vec<_> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.protocol.as_str(), e.port, e.role)).collect();
    assert_eq!(
        endpoints,
        [("http", "https", 5000, EndpointRole::Service), ("metrics", "http", 5001, EndpointRole::Metrics)]
    );
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "port": 5000,
        "metrics-port": 5000,
        "storage": "var/lib/registry",
        "tls": {"certificate": "not a certificate", "key": secret("k")},
    });
    let errors = render::<Registry>(&config, &context("registry", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}
