//! The example plugin written in C (`examples/plugins/motd-c`), held to what the Rust plugins
//! are held to: its build is reproducible and gives the bytes `examples/stacks/05-c-plugin`
//! pins, that stack builds with the motd its config asks for and a playbook Ansible accepts,
//! its config schema is a JSON Schema that refuses what the plugin refuses, and every bad
//! config ends in a diagnostic at the exact span of the stack file.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::ansible::Ansible;
use crate::common::{
    Scratch, build_c_plugin, build_stack, files_under, outcome, render, run, sha256_hex, stackc, tool, workspace,
};

const STACK: &str = "examples/stacks/05-c-plugin/stack.kdl";

/// The sha256 the example stack pins the plugin to.
fn pinned_sha256() -> String {
    let stack = fs::read_to_string(workspace().join(STACK)).expect("the example stack");
    let line = stack.lines().find(|l| l.starts_with("plugin \"motd\"")).expect("a `plugin \"motd\"` line");
    let (_, rest) = line.split_once("sha256=\"").expect("a pinned sha256");
    rest.split('"').next().expect("a closed string").to_owned()
}

/// Copies the files under `from` (leaving out `target/`) to the same place under `to`.
fn copy_sources(from: &Path, to: &Path) {
    for file in files_under(from, &["target"]) {
        let target = to.join(&file);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::copy(from.join(&file), &target).expect("copy");
    }
}

/// Two copies of the plugin and of the WIT it is built from, at paths of different lengths,
/// each built by its own script run from elsewhere: the same bytes, the pinned ones.
#[test]
fn builds_to_the_pinned_bytes_wherever_the_checkout_lives() {
    let scratch = Scratch::new();
    let mut built = Vec::new();
    for root in ["a", "another/checkout/further/down"] {
        let root = scratch.path().join(root);
        for dir in ["examples/plugins/motd-c", "plugins/stackc-plugin-sdk/wit/since_v0.4.0"] {
            copy_sources(&workspace().join(dir), &root.join(dir));
        }
        let output = run(Command::new(root.join("examples/plugins/motd-c/build.sh")).current_dir(scratch.path()));
        assert!(output.status.success(), "build.sh in {}:\n{}", root.display(), render(&output, &[]));
        let component = fs::read(root.join("examples/plugins/motd-c/target/stackc/motd.wasm")).expect("motd.wasm");
        let printed = format!("sha256 {}\n", sha256_hex(&component));
        assert!(String::from_utf8_lossy(&output.stdout).ends_with(&printed), "build.sh prints the sha256");
        built.push(component);
    }
    assert!(built[0] == built[1], "two checkouts built different components");
    assert_eq!(
        sha256_hex(&built[0]),
        pinned_sha256(),
        "the C plugin's bytes changed: pin the digest build.sh prints in {STACK} and its stackc.lock"
    );
}

const WEB1_MOTD: &str = "\
Welcome. This machine is configured by stackc: changes made
by hand are overwritten by the next deployment.

  * backups run every night at 02:00 UTC
  * ask the operations team before rebooting, and say why in
    the channel

This is web1, a host of stack c-plugin.
";

#[test]
fn the_example_stack_writes_each_host_its_motd() {
    build_c_plugin();
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    for host in ["web1", "web2"] {
        let motd = fs::read_to_string(bundle.join(format!("hosts/{host}/etc/motd"))).expect("the motd");
        assert_eq!(motd, WEB1_MOTD.replace("web1", host), "{host}");
        // `width 60` in the stack.
        assert!(motd.lines().all(|l| l.chars().count() <= 60), "{host}: a line is wider than 60:\n{motd}");
    }
}

/// The deploy tool's side: the playbook that installs the motds parses and passes
/// ansible-lint's default rules.
#[test]
fn the_example_playbook_passes_ansible_checks() {
    build_c_plugin();
    let ansible = Ansible::of(STACK);
    ansible.assert_playbook_passes_checks();
    let playbook = fs::read_to_string(ansible.bundle.join("ansible/site.yml")).expect("site.yml");
    assert!(playbook.contains("/etc/motd"), "the playbook installs no motd:\n{playbook}");
}

/// `describe`'s schema is a JSON Schema by its meta-schema, and refuses what the plugin
/// refuses (`reference.rs` checks that every config of the example satisfies it), and
/// `stackc docs` makes a page of it.
#[test]
fn its_schema_describes_the_config_it_reads() {
    let component = build_c_plugin();
    let scratch = Scratch::new();
    let output = run(stackc().arg("schema").arg(&component));
    assert!(output.status.success(), "stackc schema:\n{}", render(&output, &[]));
    fs::write(scratch.path().join("schema.json"), &output.stdout).expect("write schema");
    fs::write(scratch.path().join("refused.json"), r#"{"message": "hi", "width": 500, "colour": "red"}"#)
        .expect("write config");
    let check = |args: &[&str]| run(Command::new(tool("check-jsonschema")).current_dir(scratch.path()).args(args));
    let output = check(&["--check-metaschema", "schema.json"]);
    assert!(output.status.success(), "the schema is not a JSON Schema:\n{}", render(&output, &[]));
    let output = check(&["--schemafile", "schema.json", "refused.json"]);
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("500") && text.contains("colour"), "{text}");

    let output = run(stackc().arg("docs").arg(&component));
    let page = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "stackc docs:\n{}", render(&output, &[]));
    for key in ["`message`", "`width`", "`notes`", "72"] {
        assert!(page.contains(key), "the page has no {key}:\n{page}");
    }
}

/// A project with the plugin as `motd.wasm` and a stack whose service `motd`, placed `on`,
/// has `config` for body, after the declarations in `extra`.
fn project(on: &str, config: &str, extra: &str) -> Scratch {
    let component = fs::read(build_c_plugin()).expect("motd.wasm");
    let scratch = Scratch::new();
    fs::write(scratch.path().join("motd.wasm"), &component).expect("write motd.wasm");
    // The diagnostics are about lines after the plugin's: its digest never shows in them.
    scratch.write(
        "stack.kdl",
        &format!(
            "stack \"bad-motd\"\n\nplugin \"motd\" path=\"motd.wasm\" sha256=\"{}\"\n\nhost \"web1\" address=\"192.0.2.20\"\n{extra}\nservice \"motd\" plugin=\"motd\" on=\"{on}\" {{\n{config}}}\n",
            sha256_hex(&component)
        ),
    );
    scratch
}

/// `stackc check` of the project's stack fails, the JSON report agrees with the text one,
/// and the text is the snapshot `name`.
fn check_on(name: &str, on: &str, config: &str, extra: &str) {
    let scratch = project(on, config, extra);
    let text = outcome(&mut scratch.stackc(&["check", "stack.kdl"]), &[]);
    assert!(text.starts_with("exit: 1\n"), "{name} should fail with exit 1:\n{text}");
    let json = run(&mut scratch.stackc(&["check", "stack.kdl", "--format", "json"]));
    crate::diagnostics::assert_json_matches_text(name, &json, &text);
    insta::assert_snapshot!(name, text);
}

fn check(name: &str, config: &str, extra: &str) {
    check_on(name, "web1", config, extra);
}

#[test]
fn a_missing_message_points_at_the_service() {
    check("c_plugin_missing_key", "    width 72\n", "");
}

#[test]
fn a_misspelt_key_points_at_the_key_and_suggests_the_known_one() {
    check("c_plugin_misspelt_key", "    message \"hi\"\n    widht 72\n", "");
}

#[test]
fn an_unknown_key_lists_the_known_ones() {
    check("c_plugin_unknown_key", "    message \"hi\"\n    colour \"red\"\n", "");
}

#[test]
fn a_wrong_type_points_at_the_value() {
    check("c_plugin_wrong_type", "    message \"hi\"\n    width \"wide\"\n", "");
}

#[test]
fn a_value_out_of_range_points_at_the_value() {
    check("c_plugin_out_of_range", "    message \"hi\"\n    width 500\n", "");
}

#[test]
fn a_wrong_list_item_points_at_the_item() {
    check("c_plugin_wrong_item", "    message \"hi\"\n    notes \"backups at 02:00\" 5 \"no reboots\"\n", "");
}

#[test]
fn a_control_character_is_refused_before_it_reaches_a_terminal() {
    check("c_plugin_control_character", "    message \"hello\\u{1b}[2J\"\n", "");
}

#[test]
fn a_secret_or_a_reference_is_named_as_one() {
    check(
        "c_plugin_secret_and_reference",
        "    message (secret)\"banner\"\n    notes (ref)\"site.http\"\n",
        "secret \"banner\" vault=\"vault_banner\"\nservice \"site\" plugin=\"nginx\" on=\"web1\"\n",
    );
}

#[test]
fn a_service_off_hosts_is_refused() {
    let extra = "service \"site\" plugin=\"nginx\" on=\"web1\"\ncompose \"apps\"\n";
    check_on("c_plugin_off_hosts", "apps", "    message \"hi\"\n", extra);
}

#[test]
fn every_problem_of_a_config_is_reported_at_once() {
    check("c_plugin_several", "    message \"\"\n    widht 72\n    notes #true\n", "");
}

/// Values too big or too deep for a snapshot end in one diagnostic each, at the line and
/// column where their key or value starts (the service's body starts on line 8), with the
/// user's text cut short in the message.
#[test]
fn huge_and_deep_values_end_in_one_diagnostic_each() {
    // `message { k0 { k1 { … { k59 "x" } … } } }`: 62 levels, within the 64 stackc reads.
    let deep = (0..59).rev().fold(String::from("k59 \"x\""), |inner, level| format!("k{level} {{ {inner} }}"));
    let notes = vec!["\"n\""; 10_000].join(" ");
    let cases = [
        (format!("    message {{ {deep} }}\n"), (8, 5), "expected a string, found a block of settings".to_owned()),
        (
            format!("    message \"{}\"\n", "x".repeat(1_000_000)),
            (8, 13),
            "the message is 1000000 characters long, more than 4096".to_owned(),
        ),
        (format!("    message \"hi\"\n    notes {notes}\n"), (9, 5), "10000 notes are more than 16".to_owned()),
        (
            format!("    message \"hi\"\n    {} 1\n", "k".repeat(100_000)),
            (9, 5),
            format!("unknown config key `{}…`", "k".repeat(40)),
        ),
    ];
    for (config, (line, column), message) in cases {
        let scratch = project("web1", &config, "");
        let output = run(&mut scratch.stackc(&["check", "stack.kdl", "--format", "json"]));
        assert_eq!(output.status.code(), Some(1), "{message}: {}", render(&output, &[]));
        let stdout = String::from_utf8(output.stdout).expect("UTF-8");
        let diagnostics: Vec<serde_json::Value> =
            stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON diagnostic")).collect();
        assert_eq!(diagnostics.len(), 1, "{message}: {stdout}");
        let d = &diagnostics[0];
        assert_eq!(d["code"], "stackc::plugin::config", "{stdout}");
        assert_eq!(d["message"], message.as_str(), "{stdout}");
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(line), Some(column)), "{message}");
    }
}

/// `stackc plugin inspect` sees what a stack would: the plugin's name and version, the WIT
/// version its bindings were generated from, no import beyond the host's, and its digest.
#[test]
fn inspect_shows_the_c_plugin_as_a_stack_sees_it() {
    let component = build_c_plugin();
    let output = run(stackc().args(["plugin", "inspect"]).arg(&component));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "stackc plugin inspect:\n{}", render(&output, &[]));
    let sha256 = pinned_sha256();
    let head: Vec<&str> = text.lines().take_while(|l| !l.starts_with("config schema:")).collect();
    let head =
        head.join("\n").replace(&sha256, "[motd sha256]").replace(&component.display().to_string(), "[motd.wasm]");
    insta::assert_snapshot!(head);
}
