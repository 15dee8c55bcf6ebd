//! The blackbox plugin's render logic, run natively.

use stackc_plugin_blackbox::Blackbox;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, expose, host_file, render};
use stackc_plugin_sdk::{Artifact, EndpointRole};

const CONFIG: &str = "/etc/prometheus/blackbox.yml";
const DEFAULTS: &str = "/etc/default/prometheus-blackbox-exporter";

#[test]
fn one_module_under_the_budget_and_a_listen_address_per_host() {
    let hosts = [("mon1", "10.0.0.13"), ("mon2", "10.0.0.14")];
    let artifacts = render::<Blackbox>(&json!({}), &context("blackbox", &hosts)).expect("renders");
    insta::assert_snapshot!("blackbox_yml", host_file(&artifacts, "mon1", CONFIG));
    insta::assert_snapshot!("mon1_defaults", host_file(&artifacts, "mon1", DEFAULTS));
    assert!(host_file(&artifacts, "mon2", DEFAULTS).contains("--web.listen-address=10.0.0.14:9115"));
    assert_eq!(host_file(&artifacts, "mon1", CONFIG), host_file(&artifacts, "mon2", CONFIG));
    assert!(artifacts.contains(&Artifact::package("prometheus-blackbox-exporter")));
    assert!(artifacts.contains(&Artifact::restarted_service("prometheus-blackbox-exporter")));
}

#[test]
fn settings_reach_the_module() {
    let config =
        json!({"timeout": "1s", "valid-status-codes": [200, 204], "follow-redirects": true, "ip-protocol": "ip6"});
    let artifacts = render::<Blackbox>(&config, &context("blackbox", &[("mon1", "10.0.0.13")])).expect("renders");
    let yml = host_file(&artifacts, "mon1", CONFIG);
    for line in
        ["timeout: 1s", "valid_status_codes: [200, 204]", "follow_redirects: true", "preferred_ip_protocol: ip6"]
    {
        assert!(yml.contains(line), "no `{line}`:\n{yml}");
    }
}

#[test]
fn exports_the_probe_endpoint_and_its_own_metrics() {
    let exports = expose::<Blackbox>("blackbox", &json!({"port": 9200})).expect("exposes");
    let endpoints: Vec<_> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.path.as_str(), e.role)).collect();
    assert_eq!(
        endpoints,
        [("probe", 9200, "/probe", EndpointRole::Service), ("metrics", 9200, "/metrics", EndpointRole::Metrics)]
    );
}

#[test]
fn bad_values_point_at_their_key() {
    let config = json!({"timeout": "2 s", "valid-status-codes": [200, 700]});
    let errors = render::<Blackbox>(&config, &context("blackbox", &[])).expect_err("rejects");
    let paths: Vec<Vec<String>> = errors.iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths, [vec!["timeout".to_owned()], vec!["valid-status-codes".to_owned(), "1".to_owned()], vec![]]);
    let errors = render::<Blackbox>(&json!({"timeout": "0s"}), &context("b", &[("h", "10.0.0.1")])).expect_err("zero");
    assert_eq!(errors[0].path, ["timeout"]);
}
