//! `stackc gc`: old bundles go, the one `current` points at and the newest stay.

use std::fs;
use std::path::Path;

use crate::common::Scratch;

const STACK: &str = r#"stack "demo"
param "port" type="int" default=8080
host "web1" address="10.0.0.1"
service "site" plugin="nginx" on="web1" {
    listen (param)"port"
}
"#;

/// Builds the stack with `port`, returning the bundle's directory name.
fn build(scratch: &Scratch, port: u32) -> String {
    let output = scratch.stackc(&["build", "demo.kdl", "--set", &format!("port={port}")]).output().expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    current(scratch.path())
}

fn current(dir: &Path) -> String {
    fs::read_link(dir.join("out/demo/current")).expect("current").to_string_lossy().into_owned()
}

/// The entries of `out/demo`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("out/demo"))
        .expect("out/demo")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    names.sort();
    names
}

#[test]
fn gc_keeps_current_and_the_newest() {
    let scratch = Scratch::new();
    scratch.write("demo.kdl", STACK);
    let bundles: Vec<String> = (0..5).map(|i| build(&scratch, 8080 + i)).collect();
    // `current` back on the oldest bundle: reused as it is, so still the oldest written.
    assert_eq!(build(&scratch, 8080), bundles[0]);
    scratch.write("out/demo/notes.txt", "not a bundle\n");

    let output = scratch.stackc(&["gc", "--keep", "2"]).output().expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("out/demo: 2 bundles removed, 3 kept, current "), "{stdout}");
    assert_eq!(
        entries(scratch.path()),
        sorted(&[&bundles[0], &bundles[3], &bundles[4], "current", "notes.txt"]),
        "current's bundle, the two newest, and what is not a bundle"
    );

    let output = scratch.stackc(&["gc", "demo", "--keep", "0", "-q"]).output().expect("run");
    assert!(output.status.success() && output.stdout.is_empty());
    assert_eq!(entries(scratch.path()), sorted(&[&bundles[0], "current", "notes.txt"]));
    assert!(scratch.path().join("out/demo/current/manifest.toml").is_file());

    let output = scratch.stackc(&["gc", "demo.kdl"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2), "a stack file is not a stack name");
    assert!(String::from_utf8_lossy(&output.stderr).contains("takes stack names"));
}
