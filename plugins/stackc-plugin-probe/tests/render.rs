//! The probe plugin's render logic, run natively.

use stackc_plugin_probe::Probe;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, endpoint, host_file, reference, render};
use stackc_plugin_sdk::{Artifact, EndpointRole, Supervisor};

#[test]
fn endpoints_come_from_references() {
    let prometheus = endpoint("prometheus", "mon1", "10.0.0.3", "http", 9090, EndpointRole::Service);
    let mut status = endpoint("site", "web1", "10.0.0.1", "status", 80, EndpointRole::Status);
    status.path = "/nginx_status".to_owned();
    let config = json!({
        "prometheus": reference("prometheus.http", &[prometheus]),
        "status": reference("site.status", &[status]),
    });
    let artifacts = render::<Probe>(&config, &context("probe", &[("mon1", "10.0.0.3")])).unwrap();
    let file = host_file(&artifacts, "mon1", "/etc/stackc-probe/probe.json");
    assert!(file.contains("\"http://10.0.0.3:9090/\""), "{file}");
    assert!(file.contains("\"http://10.0.0.1:80/nginx_status\""), "{file}");
    assert!(artifacts.iter().any(|a| matches!(a, Artifact::Process(p) if p.supervisor == Supervisor::Daemontools)));
}

#[test]
fn nothing_to_probe_is_an_error() {
    let errors = render::<Probe>(&json!({}), &context("probe", &[("mon1", "10.0.0.3")])).unwrap_err();
    assert!(errors[0].message.contains("nothing to probe"));
}
