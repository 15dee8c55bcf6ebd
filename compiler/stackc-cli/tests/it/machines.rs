//! The machines of `tests/fixtures/machines/stack.kdl`: OpenNebula VMs as Terraform and the
//! Kubernetes cluster on them as a Kubespray inventory, checked by their real consumers
//! without a cloud:
//! - every `.tf` file parses (python-hcl2) and names only the resource types, blocks and
//!   arguments of the OpenNebula provider's documented schema
//!   (`third_party/opennebula-provider/`, checked by `tests/machines_tf_check.py`), and is
//!   formatted as `terraform fmt` formats it (Terraform is in no package registry the set-up
//!   uses: this runs where a `terraform` binary is on PATH, and says so where it is not);
//! - `ansible-inventory --list`, strict and with the YAML parser only, reads the inventory
//!   with every Kubespray group, the host variables, and the group variables, each of which
//!   Kubespray v2.30.0 knows (`third_party/kubespray/known-variables.txt`).
//!
//! A broken copy of each file must fail the same check.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{Scratch, build_stack, copy_tree, files_under, render, run, tool, workspace};

const STACK: &str = "compiler/stackc-cli/tests/fixtures/machines/stack.kdl";
const CONTROL_PLANE: [&str; 3] = ["cp-1", "cp-2", "cp-3"];
const WORKERS: [&str; 2] = ["node-1", "node-2"];

fn bundle(out: &Path) -> PathBuf {
    build_stack(STACK, out, &[])
}

pub(crate) fn tf_check(files: &[PathBuf]) -> Output {
    let mut command = Command::new(tool("python3"));
    command
        .arg(workspace().join("compiler/stackc-cli/tests/machines_tf_check.py"))
        .arg(workspace().join("third_party/opennebula-provider/schema.json"))
        .args(files);
    run(&mut command)
}

pub(crate) fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("service directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
}

/// Host-placed services that write only bundle files give Ansible nothing to do on the
/// hosts: no playbook, no host trees, only `services/<service>/`.
#[test]
fn the_bundle_holds_only_the_services_files() {
    let scratch = Scratch::new();
    let dir = bundle(scratch.path());
    let files = files_under(&dir, &["manifest.toml"]);
    assert_eq!(
        files,
        [
            "services/cluster/group_vars/all/all.yml",
            "services/cluster/group_vars/k8s_cluster/addons.yml",
            "services/cluster/group_vars/k8s_cluster/k8s-cluster.yml",
            "services/cluster/inventory.yml",
            "services/machines/main.tf",
            "services/machines/outputs.tf",
            "services/machines/variables.tf",
        ]
    );
}

#[test]
fn terraform_files_match_the_provider_schema_and_a_misspelling_does_not() {
    let scratch = Scratch::new();
    let dir = bundle(&scratch.path().join("out")).join("services/machines");
    let files = tf_files(&dir);
    assert_eq!(files.len(), 3);
    let output = tf_check(&files);
    assert!(output.status.success(), "{}", render(&output, &[]));

    let broken = scratch.path().join("broken.tf");
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    fs::write(&broken, main.replacen("image_id", "imageid", 1)).expect("write");
    let output = tf_check(&[broken]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "a misspelled argument passed:\n{stdout}");
    assert!(stdout.contains("opennebula_virtual_machine.cp-1.disk: unknown argument or block `imageid`"), "{stdout}");
}

#[test]
fn no_credential_is_in_the_terraform_files() {
    let scratch = Scratch::new();
    let dir = bundle(scratch.path()).join("services/machines");
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    let variables = fs::read_to_string(dir.join("variables.tf")).expect("variables.tf");
    assert!(main.contains("  username = var.opennebula_username\n  password = var.opennebula_password\n"), "{main}");
    let password = variables.split("variable \"opennebula_password\"").nth(1).expect("the password variable");
    assert!(password.contains("sensitive   = true") && !password.contains("default"), "{variables}");
}

#[test]
fn terraform_files_are_formatted_as_terraform_fmt_formats_them() {
    let Some(terraform) = on_path("terraform") else {
        eprintln!("terraform is not on PATH: the formatting check did not run");
        return;
    };
    let scratch = Scratch::new();
    let dir = bundle(&scratch.path().join("out")).join("services/machines");
    let fmt = |dir: &Path| run(Command::new(&terraform).args(["fmt", "-check", "-diff", "-recursive"]).arg(dir));
    let output = fmt(&dir);
    assert!(output.status.success(), "{}", render(&output, &[]));

    let misformatted = scratch.path().join("misformatted");
    fs::create_dir(&misformatted).expect("mkdir");
    let main = fs::read_to_string(dir.join("main.tf")).expect("main.tf");
    fs::write(misformatted.join("main.tf"), main.replacen("  name   = ", "  name = ", 1)).expect("write");
    assert!(!fmt(&misformatted).status.success(), "a misaligned attribute passed terraform fmt -check");
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// `ansible-inventory --list` with only the YAML parser, failing on anything it cannot parse.
pub(crate) fn inventory_list(inventory: &Path) -> Output {
    let mut command = Command::new(tool("ansible-inventory"));
    command
        .args(["--list", "-i"])
        .arg(inventory)
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .env("ANSIBLE_INVENTORY_ENABLED", "yaml")
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_LOCAL_TEMP", inventory.parent().expect("dir").join(".ansible-tmp"))
        .env("ANSIBLE_HOME", inventory.parent().expect("dir").join(".ansible-home"));
    run(&mut command)
}

pub(crate) fn hosts_of(list: &Value, group: &str) -> Vec<String> {
    let hosts = list[group]["hosts"].as_array().unwrap_or_else(|| panic!("group `{group}` has no hosts: {list}"));
    hosts.iter().map(|h| h.as_str().expect("a name").to_owned()).collect()
}

#[test]
fn ansible_reads_the_kubespray_inventory_with_its_groups_and_variables() {
    let scratch = Scratch::new();
    let dir = bundle(&scratch.path().join("out"));
    // A copy, so that Ansible's scratch directories stay out of the bundle.
    let cluster = scratch.path().join("cluster");
    copy_tree(&dir.join("services/cluster"), &cluster);
    let output = inventory_list(&cluster.join("inventory.yml"));
    assert!(output.status.success(), "{}", render(&output, &[]));
    let list: Value = serde_json::from_slice(&output.stdout).expect("JSON");

    assert_eq!(hosts_of(&list, "kube_control_plane"), CONTROL_PLANE);
    assert_eq!(hosts_of(&list, "etcd"), CONTROL_PLANE);
    assert_eq!(hosts_of(&list, "kube_node"), WORKERS);
    assert_eq!(list["k8s_cluster"]["children"], serde_json::json!(["kube_control_plane", "kube_node"]));

    let known_text = fs::read_to_string(workspace().join("third_party/kubespray/known-variables.txt")).expect("list");
    let known: BTreeSet<&str> = known_text.lines().filter(|l| !l.starts_with('#')).collect();
    let hostvars = &list["_meta"]["hostvars"];
    for (i, host) in CONTROL_PLANE.iter().chain(&WORKERS).enumerate() {
        let vars = &hostvars[*host];
        let address = if i < 3 { format!("10.40.0.{}", 11 + i) } else { format!("10.40.0.{}", 18 + i) };
        assert_eq!(vars["ansible_host"], address.as_str(), "{host}: {vars}");
        assert_eq!(vars["ip"], address.as_str(), "{host}");
        // The group variables reach every node of the cluster.
        assert_eq!(vars["kube_version"], "1.34.3", "{host}");
        assert_eq!(vars["kube_proxy_strict_arp"], true, "{host}");
        assert_eq!(vars["metallb_enabled"], false, "{host}");
        assert_eq!(vars["ingress_nginx_enabled"], false, "{host}");
        assert_eq!(vars["cluster_name"], "cluster.local", "{host}");
        for name in vars.as_object().expect("a map").keys().filter(|k| !k.starts_with("ansible_")) {
            assert!(known.contains(name.as_str()), "{host}: `{name}` is no Kubespray v2.30.0 variable");
        }
    }
    assert_eq!(hostvars["cp-2"]["etcd_member_name"], "etcd2");
    assert!(hostvars["node-1"].get("etcd_member_name").is_none());
}

#[test]
fn a_broken_inventory_fails_ansible_inventory() {
    let scratch = Scratch::new();
    let dir = bundle(&scratch.path().join("out"));
    let cluster = scratch.path().join("cluster");
    copy_tree(&dir.join("services/cluster"), &cluster);
    let inventory = cluster.join("inventory.yml");
    let text = fs::read_to_string(&inventory).expect("inventory");
    // One host line out of its indentation: no longer the layout the YAML parser reads.
    fs::write(&inventory, text.replacen("    cp-1:\n", "  cp-1:\n", 1)).expect("write");
    let output = inventory_list(&inventory);
    assert!(!output.status.success(), "a broken inventory was read:\n{}", render(&output, &[]));
}

/// Config errors of both plugins point at the entry of the stack file that causes them, or at
/// the service for a host's.
#[test]
fn config_errors_point_at_their_entries() {
    let scratch = Scratch::new();
    scratch.write(
        "stack.kdl",
        r#"stack "broken"
host "cp-1" address="10.40.0.11" { groups "k8s" "control-plane"; }
host "cp-2" address="10.40.0.12" { groups "k8s" "control-plane"; }
host "node-1" address="10.40.0.21" { groups "k8s" "workers"; }
service "machines" plugin="opennebula" on="k8s" {
    endpoint "https://one.example.org:2633/RPC2"
    image "ubuntu-24.04"
    network "k8s"
    size "control-plane" { cpu 2; memory "4G"; disk "40Gi"; }
}
service "cluster" plugin="kubespray" on="k8s" {
    control-plane "control-plane"
    workers "workers"
}
"#,
    );
    let output = run(&mut scratch.stackc(&["check", "stack.kdl"]));
    insta::assert_snapshot!(render(&output, &[]));
}
