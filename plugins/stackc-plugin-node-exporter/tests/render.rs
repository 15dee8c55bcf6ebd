//! The node-exporter plugin's render logic, run natively.

use stackc_plugin_node_exporter::NodeExporter;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, expose, host_file, render};
use stackc_plugin_sdk::{Artifact, EndpointRole};

#[test]
fn every_host_listens_on_its_own_address() {
    let hosts = [("web1", "10.0.0.11"), ("mon1", "10.0.0.13")];
    let artifacts = render::<NodeExporter>(&json!({}), &context("node", &hosts)).expect("renders");
    insta::assert_snapshot!("web1_defaults", host_file(&artifacts, "web1", "/etc/default/prometheus-node-exporter"));
    assert!(
        host_file(&artifacts, "mon1", "/etc/default/prometheus-node-exporter")
            .contains("--web.listen-address=10.0.0.13:9100")
    );
    assert!(artifacts.contains(&Artifact::package("prometheus-node-exporter")));
    assert!(artifacts.contains(&Artifact::restarted_service("prometheus-node-exporter")));
}

#[test]
fn exports_a_metrics_endpoint() {
    let exports = expose::<NodeExporter>("node", &json!({"port": 9200})).expect("exposes");
    let endpoint = &exports.endpoints[0];
    assert_eq!((endpoint.name.as_str(), endpoint.port, endpoint.path.as_str()), ("metrics", 9200, "/metrics"));
    assert_eq!(endpoint.role, EndpointRole::Metrics);
}

#[test]
fn collector_names_are_checked() {
    let errors = render::<NodeExporter>(&json!({"collectors": ["systemd", "bad name"]}), &context("node", &[]))
        .expect_err("rejects");
    assert_eq!(errors[0].path, ["collectors", "1"]);
}
