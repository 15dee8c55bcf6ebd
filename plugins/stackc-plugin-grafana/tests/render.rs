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

#[test]
fn in_a_compose_project_the_upstream_image_gets_the_services_dashboard() {
    use stackc_plugin_sdk::testing::{compose_context, secret};
    let prometheus = [endpoint("prometheus", "prometheus", "prometheus", "http", 9090, EndpointRole::Service)];
    let config = json!({
        "datasource": reference("prometheus.http", &prometheus),
        "admin-password": secret("grafana-admin"),
        "networks": "monitoring",
    });
    let artifacts = render::<Grafana>(&config, &compose_context("grafana", "shop")).expect("renders");
    let container = stackc_plugin_sdk::testing::container(&artifacts, "grafana");
    assert_eq!(container.user, "472");
    assert_eq!(container.secret_environment, [("GF_SECURITY_ADMIN_PASSWORD".to_owned(), "grafana-admin".to_owned())]);
    let paths: Vec<&str> = container.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/etc/grafana/provisioning/datasources/stackc.yaml",
            "/etc/grafana/provisioning/dashboards/stackc.yaml",
            "/etc/grafana/dashboards/services.json",
        ]
    );
    let datasource = String::from_utf8_lossy(&container.files[0].contents);
    assert!(datasource.contains(r#"url: "http://prometheus:9090/""#), "{datasource}");
    let board = String::from_utf8_lossy(&container.files[2].contents);
    assert!(board.contains("api_requests_total") && board.contains(r#""title": "Services""#), "{board}");
}

#[test]
fn compose_settings_on_hosts_are_errors_at_their_keys() {
    use stackc_plugin_sdk::testing::secret;
    let prometheus = [endpoint("prometheus", "mon1", "10.0.0.5", "http", 9090, EndpointRole::Service)];
    let config = json!({"datasource": reference("prometheus.http", &prometheus), "admin-password": secret("x"), "publish": 3000});
    let errors = render::<Grafana>(&config, &context("grafana", &[("mon1", "10.0.0.5")])).expect_err("refused");
    let keys: Vec<&str> = errors.iter().map(|e| e.path[0].as_str()).collect();
    assert_eq!(keys, ["admin-password", "publish"]);
}
