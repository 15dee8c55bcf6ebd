//! The alertmanager plugin's render logic, run natively.

use stackc_plugin_alertmanager::Alertmanager;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, expose, host_file, render};

#[test]
fn route_receiver_and_listen_addresses() {
    let config = json!({
        "receiver": "ops",
        "webhook": "http://127.0.0.1:5001/alerts",
        "email": {"to": "ops@example.org", "from": "am@example.org", "smarthost": "mail.example.org:25"},
    });
    let artifacts =
        render::<Alertmanager>(&config, &context("alertmanager", &[("mon1", "10.0.0.13")])).expect("renders");
    insta::assert_snapshot!("alertmanager_yml", host_file(&artifacts, "mon1", "/etc/prometheus/alertmanager.yml"));
    let defaults = host_file(&artifacts, "mon1", "/etc/default/prometheus-alertmanager");
    assert!(defaults.contains("--web.listen-address=10.0.0.13:9093"), "{defaults}");
    assert!(defaults.contains("--cluster.listen-address=\""), "{defaults}");
}

#[test]
fn a_receiver_needs_a_destination() {
    let errors = render::<Alertmanager>(&json!({}), &context("alertmanager", &[])).expect_err("rejects");
    assert!(errors[0].message.contains("nowhere"), "{}", errors[0].message);
}

#[test]
fn exports_http() {
    let exports = expose::<Alertmanager>("alertmanager", &json!({"webhook": "http://x/"})).expect("exposes");
    assert_eq!(exports.endpoints[0].name, "http");
    assert_eq!(exports.endpoints[0].port, 9093);
}
