//! Every real stack in `stacks/`: it builds, twice to the same root digest, its manifest is a
//! snapshot (so any output change shows in review), and its inventory parses.

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use crate::common::{Scratch, build_stack, tool, workspace};

fn real_stacks() -> Vec<String> {
    let mut stacks: Vec<String> = fs::read_dir(workspace().join("stacks"))
        .expect("stacks/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kdl"))
        .map(|n| format!("stacks/{n}"))
        .collect();
    stacks.sort();
    stacks
}

#[test]
fn every_real_stack_builds_reproducibly_and_matches_its_manifest_snapshot() {
    let stacks = real_stacks();
    assert!(stacks.len() >= 3, "{stacks:?}");
    for stack in stacks {
        let (one, two) = (Scratch::new(), Scratch::new());
        let first = build_stack(&stack, one.path(), &[]);
        let second = build_stack(&stack, two.path(), &["--jobs", "1"]);
        assert_eq!(first.file_name(), second.file_name(), "{stack}: two builds, two root digests");
        let name = stack.trim_start_matches("stacks/").trim_end_matches(".kdl").replace('-', "_");
        let manifest = fs::read_to_string(first.join("manifest.toml")).expect("manifest");
        insta::assert_snapshot!(format!("manifest_{name}"), manifest);
    }
}

#[test]
fn every_inventory_parses_strictly_and_lists_every_host() {
    for stack in real_stacks() {
        let out = Scratch::new();
        let bundle = build_stack(&stack, out.path(), &[]);
        let inventory = bundle.join("ansible/inventory.ini");
        if !inventory.exists() {
            continue; // A cluster-only stack has no hosts.
        }
        let output = Command::new(tool("ansible-inventory"))
            .current_dir(bundle.join("ansible"))
            .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
            .env("ANSIBLE_LOCAL_TEMP", out.path().join("tmp"))
            .env("HOME", out.path())
            .args(["-i", "inventory.ini", "--list"])
            .output()
            .expect("run ansible-inventory");
        assert!(output.status.success(), "{stack}: {}", String::from_utf8_lossy(&output.stderr));
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let hostvars = listed["_meta"]["hostvars"].as_object().expect("hostvars");
        let listed: BTreeSet<&str> = hostvars.keys().map(String::as_str).collect();
        let declared: BTreeSet<String> = fs::read_dir(bundle.join("hosts"))
            .map(|d| d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        for host in &declared {
            assert!(listed.contains(host.as_str()), "{stack}: host {host} missing from the inventory");
        }
    }
}
