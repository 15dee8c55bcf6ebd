//! The grafana plugin's render logic, run natively.

use stackc_plugin_grafana::Grafana;
use stackc_plugin_sdk::serde_json::{Value, from_str, json};
use stackc_plugin_sdk::testing::{context, endpoint, host_file, reference, render};
use stackc_plugin_sdk::{Artifact, EndpointRole};

fn rendered() -> Vec<Artifact> {
    let prometheus = [endpoint("prometheus", "mon1", "10.0.0.13", "http", 9090, EndpointRole::Service)];
    let config = json!({"datasource": reference("prometheus.http", &prometheus)});
    render::<Grafana>(&config, &context("grafana", &[("mon1", "10.0.0.13")])).expect("renders")
}

#[test]
fn provisioned_datasource_points_at_the_reference() {
    let artifacts = rendered();
    let datasource = host_file(&artifacts, "mon1", "/etc/grafana/provisioning/datasources/stackc.yaml");
    insta::assert_snapshot!("datasource", datasource);
    assert!(datasource.contains("url: \"http://10.0.0.13:9090/\""));
    insta::assert_snapshot!(
        "providers",
        host_file(&artifacts, "mon1", "/etc/grafana/provisioning/dashboards/stackc.yaml")
    );
    assert!(host_file(&artifacts, "mon1", "/etc/default/grafana-server").contains("GF_SERVER_HTTP_ADDR=10.0.0.13\n"));
}

#[test]
fn installs_from_grafanas_apt_repository() {
    let artifacts = rendered();
    let repository = artifacts.iter().find_map(|a| match a {
        Artifact::AptRepository(r) => Some(r),
        _ => None,
    });
    let repository = repository.expect("an apt repository");
    assert_eq!(repository.uris, "https://apt.grafana.com");
    assert_eq!((repository.suites.as_str(), repository.components.as_str()), ("stable", "main"));
    assert_eq!(repository.signed_by, "https://apt.grafana.com/gpg.key");
    assert!(artifacts.contains(&Artifact::package("grafana")));
}

#[test]
fn dashboard_queries_node_exporter_per_host() {
    let artifacts = rendered();
    let text = host_file(&artifacts, "mon1", "/var/lib/grafana/dashboards/hosts.json");
    insta::assert_snapshot!("dashboard", text);
    let board: Value = from_str(text).expect("JSON");
    let titles: Vec<&str> = board["panels"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Load (1m)", "CPU busy", "Memory used", "Network received", "Network sent"]);
}

#[test]
fn a_datasource_without_endpoints_is_an_error() {
    let config = json!({"datasource": reference("prometheus.http", &[])});
    let errors = render::<Grafana>(&config, &context("grafana", &[])).expect_err("rejects");
    assert_eq!(errors[0].path, ["datasource"]);
}
