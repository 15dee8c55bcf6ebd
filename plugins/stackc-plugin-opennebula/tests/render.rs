//! The opennebula plugin's render logic, run natively.

use stackc_plugin_opennebula::OpenNebula;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, render};
use stackc_plugin_sdk::{Artifact, HostInfo, RenderContext};

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.org\n";

fn config() -> Value {
    json!({
        "endpoint": "https://one.example.org:2633/RPC2",
        "image": "ubuntu-24.04",
        "network": "k8s",
        "ssh-public-key": KEY,
        "size": {
            "control-plane": {"cpu": 2, "memory": "4Gi", "disk": "40Gi"},
            "workers": {"cpu": 4, "memory": "8Gi", "disk": "80Gi"},
        },
    })
}

fn host(name: &str, address: &str, groups: &[&str]) -> HostInfo {
    HostInfo {
        name: name.to_owned(),
        address: address.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

fn cluster() -> RenderContext {
    RenderContext {
        hosts: vec![
            host("cp-1", "10.40.0.11", &["k8s", "control-plane"]),
            host("cp-2", "10.40.0.12", &["k8s", "control-plane"]),
            host("node-1", "10.40.0.21", &["k8s", "workers"]),
            host("node-v6", "2001:db8::21", &["k8s", "workers"]),
        ],
        ..context("machines", &[])
    }
}

fn file(artifacts: &[Artifact], path: &str) -> String {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::BundleFile(f) if f.path == path => Some(String::from_utf8(f.contents.clone()).expect("UTF-8")),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no bundle file `{path}`"))
}

#[test]
fn one_vm_per_host_sized_by_its_group() {
    let artifacts = render::<OpenNebula>(&config(), &cluster()).expect("renders");
    let paths: Vec<_> = artifacts
        .iter()
        .map(|a| match a {
            Artifact::BundleFile(f) => f.path.as_str(),
            other => panic!("only bundle files, not {other:?}"),
        })
        .collect();
    assert_eq!(paths, ["main.tf", "variables.tf", "outputs.tf"]);
    insta::assert_snapshot!("main_tf", file(&artifacts, "main.tf"));
    insta::assert_snapshot!("variables_tf", file(&artifacts, "variables.tf"));
    insta::assert_snapshot!("outputs_tf", file(&artifacts, "outputs.tf"));
}

#[test]
fn no_credential_reaches_the_files() {
    let artifacts = render::<OpenNebula>(&config(), &cluster()).expect("renders");
    let main = file(&artifacts, "main.tf");
    assert!(main.contains("password = var.opennebula_password"), "{main}");
    assert!(file(&artifacts, "variables.tf").contains("sensitive   = true"));
}

#[test]
fn a_host_takes_the_size_of_its_first_group_that_has_one() {
    let mut context = cluster();
    context.hosts = vec![host("both", "10.40.0.30", &["k8s", "workers", "control-plane"])];
    let artifacts = render::<OpenNebula>(&config(), &context).expect("renders");
    assert!(file(&artifacts, "main.tf").contains("memory = 8192"));
}

#[test]
fn strings_from_the_stack_cannot_become_expressions() {
    let mut config = config();
    config["image"] = json!("${file(\"/etc/shadow\")}");
    let artifacts = render::<OpenNebula>(&config, &cluster()).expect("renders");
    assert!(file(&artifacts, "main.tf").contains(r#"name = "$${file(\"/etc/shadow\")}""#));
}

fn errors(config: &Value, context: &RenderContext) -> Vec<(String, String)> {
    let errors = render::<OpenNebula>(config, context).expect_err("config errors");
    errors.iter().map(|e| (e.path.join("."), e.message.clone())).collect()
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let mut config = config();
    config["endpoint"] = json!("one.example.org:2633");
    config["ssh-public-key"] =
        json!("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n");
    config["size"]["workers"] = json!({"cpu": 0, "memory": "8G", "disk": "80Gi"});
    config["size"]["wrokers"] = json!({"cpu": 1, "memory": "1Gi", "disk": "10Gi"});
    insta::assert_debug_snapshot!(errors(&config, &cluster()));
}

#[test]
fn a_host_without_a_size_or_an_ip_is_reported_at_the_service() {
    let mut context = cluster();
    context.hosts.push(host("edge", "edge.example.org", &["k8s"]));
    insta::assert_debug_snapshot!(errors(&config(), &context));
}

#[test]
fn a_service_without_hosts_is_reported() {
    let found = errors(&config(), &context("machines", &[]));
    assert!(found.iter().any(|(path, m)| path.is_empty() && m.contains("needs hosts")), "{found:?}");
}
