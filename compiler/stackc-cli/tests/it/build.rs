//! `stackc build`: the summary, content addressing, and what happens on failure.

use std::fs;

use crate::common::{Scratch, outcome, stackc, tree, workspace};

const STACK: &str = r#"stack "demo"
param "port" type="int" default=8080
host "web1" address="10.0.0.1"
service "site" plugin="nginx" on="web1" {
    listen (param)"port"
    files {
        "index.html" "hello\n"
    }
}
"#;

/// Every file under `dir`, with contents, sorted by path.
#[test]
fn build_prints_a_summary_and_rebuilds_nothing() {
    let scratch = Scratch::new();
    scratch.write("demo.kdl", STACK);
    let first = outcome(&mut scratch.stackc(&["build", "demo.kdl"]), &[]);
    insta::assert_snapshot!("build_summary", first);
    let second = outcome(&mut scratch.stackc(&["build", "demo.kdl"]), &[]);
    assert!(second.contains("(unchanged, nothing written)"), "{second}");
    let dirs: Vec<_> = fs::read_dir(scratch.path().join("out/demo")).expect("out/demo").collect();
    assert_eq!(dirs.len(), 2, "one bundle directory and `current`");
}

#[test]
fn a_failed_build_keeps_the_previous_bundle() {
    let scratch = Scratch::new();
    scratch.write("demo.kdl", STACK);
    let built = outcome(&mut scratch.stackc(&["build", "demo.kdl"]), &[]);
    assert!(built.starts_with("exit: 0"), "{built}");
    let current = scratch.path().join("out/demo/current");
    let before_link = fs::read_link(&current).expect("current");
    let before = tree(&scratch.path().join("out"));

    scratch.write("demo.kdl", &STACK.replace("listen (param)\"port\"", "listen \"eighty\""));
    let failed = outcome(&mut scratch.stackc(&["build", "demo.kdl"]), &[]);
    assert!(failed.starts_with("exit: 1"), "{failed}");
    assert_eq!(fs::read_link(&current).expect("current"), before_link);
    assert_eq!(tree(&scratch.path().join("out")), before, "nothing under out/ changed");
}

#[test]
fn a_changed_stack_gets_a_new_bundle_and_the_old_one_stays() {
    let scratch = Scratch::new();
    scratch.write("demo.kdl", STACK);
    assert!(scratch.stackc(&["build", "demo.kdl"]).status().expect("run").success());
    let old = fs::canonicalize(scratch.path().join("out/demo/current")).expect("current");
    assert!(scratch.stackc(&["build", "demo.kdl", "--set", "port=9090"]).status().expect("run").success());
    let new = fs::canonicalize(scratch.path().join("out/demo/current")).expect("current");
    assert_ne!(old, new);
    assert!(old.join("manifest.toml").exists(), "the previous bundle is kept");
}

#[test]
fn a_damaged_bundle_is_rewritten_not_trusted() {
    let scratch = Scratch::new();
    scratch.write("demo.kdl", STACK);
    assert!(scratch.stackc(&["build", "demo.kdl"]).status().expect("run").success());
    let dir = fs::canonicalize(scratch.path().join("out/demo/current")).expect("current");
    let page = dir.join("hosts/web1/var/www/site/index.html");
    fs::write(&page, "tampered").expect("tamper");
    let rebuilt = outcome(&mut scratch.stackc(&["build", "demo.kdl"]), &[]);
    assert!(rebuilt.contains("(written)"), "{rebuilt}");
    assert_eq!(fs::read_to_string(&page).expect("page"), "hello\n");
}

#[test]
fn same_inputs_give_the_same_bytes_across_time_zones_directories_and_threads() {
    let a = Scratch::new();
    let b = Scratch::new();
    let stack = workspace().join("stacks/web-tls.kdl");
    let run = |scratch: &Scratch, tz: &str, jobs: &str| {
        // Different working directories: the stack is named by an absolute path from one
        // and a relative path from the other.
        let copy = scratch.path().join("stacks/web-tls.kdl");
        fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        fs::copy(&stack, &copy).expect("copy");
        let output = stackc()
            .current_dir(scratch.path())
            .env("TZ", tz)
            .args(["--jobs", jobs, "build", "stacks/web-tls.kdl", "--out", "bundles"])
            .output()
            .expect("run");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let link = fs::canonicalize(scratch.path().join("bundles/web-tls/current")).expect("current");
        (link.file_name().expect("name").to_owned(), tree(&link))
    };
    let (root_a, files_a) = run(&a, "UTC", "1");
    let (root_b, files_b) = run(&b, "Pacific/Chatham", "4");
    assert_eq!(root_a, root_b, "same root digest");
    assert_eq!(files_a, files_b, "byte-identical bundles");
}

#[test]
fn help_and_exit_codes_are_documented() {
    let text = outcome(stackc().arg("--help"), &[]);
    insta::assert_snapshot!("help", text);
}

#[test]
fn plugins_lists_the_builtins() {
    let output = stackc().arg("plugins").output().expect("run");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.lines().any(|l| l.starts_with("nginx ") && l.contains("0.1.0") && l.contains("builtin")), "{text}");
}
