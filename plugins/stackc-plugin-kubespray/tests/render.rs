//! The kubespray plugin's render logic, run natively.

use std::collections::BTreeSet;

use stackc_plugin_kubespray::Kubespray;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, render};
use stackc_plugin_sdk::{Artifact, HostInfo, RenderContext};

const GROUP_VARS: [&str; 3] =
    ["group_vars/all/all.yml", "group_vars/k8s_cluster/k8s-cluster.yml", "group_vars/k8s_cluster/addons.yml"];

fn config() -> Value {
    json!({"control-plane": "control-plane", "workers": "workers", "ssh-user": "debian"})
}

fn host(name: &str, address: &str, groups: &[&str]) -> HostInfo {
    HostInfo {
        name: name.to_owned(),
        address: address.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

/// Three control-plane hosts (stacked etcd) and two workers.
fn cluster() -> RenderContext {
    let mut hosts: Vec<HostInfo> =
        (1..=3).map(|i| host(&format!("cp-{i}"), &format!("10.40.0.1{i}"), &["k8s", "control-plane"])).collect();
    hosts.extend((1..=2).map(|i| host(&format!("node-{i}"), &format!("10.40.0.2{i}"), &["k8s", "workers"])));
    RenderContext { hosts, ..context("cluster", &[]) }
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
fn inventory_and_group_vars_of_a_highly_available_cluster() {
    let artifacts = render::<Kubespray>(&config(), &cluster()).expect("renders");
    assert_eq!(artifacts.len(), 4);
    insta::assert_snapshot!("inventory", file(&artifacts, "inventory.yml"));
    for path in GROUP_VARS {
        insta::assert_snapshot!(path.replace('/', "__"), file(&artifacts, path));
    }
}

/// Ansible ignores a variable nobody reads: a misspelled one would leave Kubespray's default.
#[test]
fn every_variable_written_is_one_kubespray_knows() {
    let known_list = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../third_party/kubespray/known-variables.txt"
    ))
    .expect("the vendored list");
    let known: BTreeSet<&str> = known_list.lines().filter(|l| !l.starts_with('#')).collect();
    let artifacts = render::<Kubespray>(&config(), &cluster()).expect("renders");
    for path in GROUP_VARS {
        let text = file(&artifacts, path);
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(['#', ' ', '-']) && !l.is_empty())
            .map(|l| l.split_once(':').expect("a key").0)
            .collect();
        assert!(!keys.is_empty(), "{path}");
        for key in keys {
            assert!(known.contains(key), "{path}: `{key}` is no Kubespray v2.30.0 variable");
        }
    }
}

#[test]
fn the_pinned_versions_are_the_vendored_ones() {
    let vendored =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../third_party/kubespray/kube-versions.txt"))
            .expect("the vendored list");
    let versions: Vec<&str> = vendored.lines().filter(|l| !l.starts_with('#')).collect();
    let artifacts = render::<Kubespray>(&config(), &cluster()).expect("renders");
    let k8s = file(&artifacts, "group_vars/k8s_cluster/k8s-cluster.yml");
    assert!(k8s.contains(&format!("kube_version: \"{}\"", versions[0])), "the default is Kubespray's newest");
    for version in versions {
        let config = json!({"control-plane": "control-plane", "kube-version": version});
        render::<Kubespray>(&config, &cluster()).unwrap_or_else(|e| panic!("{version}: {e:?}"));
    }
}

#[test]
fn workers_default_to_the_hosts_outside_the_control_plane() {
    let artifacts = render::<Kubespray>(&json!({"control-plane": "control-plane"}), &cluster()).expect("renders");
    let inventory = file(&artifacts, "inventory.yml");
    let kube_node =
        inventory.split("kube_node:\n").nth(1).expect("kube_node").split("    k8s_cluster:").next().unwrap();
    assert_eq!(kube_node, "      hosts:\n        node-1:\n        node-2:\n");
}

fn errors(config: &Value, context: &RenderContext) -> Vec<(String, String)> {
    let errors = render::<Kubespray>(config, context).expect_err("config errors");
    errors.iter().map(|e| (e.path.join("."), e.message.clone())).collect()
}

#[test]
fn a_cluster_that_is_not_highly_available_is_refused_at_its_roles() {
    let mut context = cluster();
    context.hosts[2].groups = vec!["k8s".to_owned(), "workers".to_owned()];
    let config =
        json!({"control-plane": ["control-plane"], "etcd": ["cp-1", "cp-2"], "workers": ["workers", "wrokers"]});
    insta::assert_debug_snapshot!(errors(&config, &context));
}

#[test]
fn one_control_plane_host_is_refused() {
    let config = json!({"control-plane": "cp-1", "etcd": "control-plane"});
    let found = errors(&config, &cluster());
    assert!(
        found.contains(&(
            "control-plane".to_owned(),
            "1 control-plane host: a highly available cluster needs at least 2".to_owned()
        )),
        "{found:?}"
    );
}

#[test]
fn bad_values_are_reported_at_their_path() {
    let config = json!({
        "control-plane": "control-plane",
        "kube-version": "1.35.0",
        "network-plugin": "weave",
        "cluster-name": "Cluster_Local",
        "service-addresses": "10.40.0.0/16",
        "pods-subnet": "10.40.128.0/17",
        "ssh-user": "root user",
    });
    insta::assert_debug_snapshot!(errors(&config, &cluster()));
}

#[test]
fn a_host_without_a_role_is_reported_at_the_service() {
    let mut context = cluster();
    context.hosts.push(host("bastion", "10.40.0.5", &["k8s"]));
    let found = errors(&config(), &context);
    assert_eq!(found, [(String::new(), "host `bastion` has no role in the cluster".to_owned())]);
}
