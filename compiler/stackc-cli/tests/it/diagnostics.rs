//! Every kind of diagnostic, rendered as the user sees it (no colour), one snapshot each.

use crate::common::{Scratch, outcome, run};

/// A minimal valid stack the cases below break in one place each.
const BASE: &str = r#"stack "demo"
param "port" type="int" default=8080 min=1 max=65535
host "web1" address="10.0.0.1" {
    groups "web"
}
service "site" plugin="nginx" on="web1" {
    listen (param)"port"
}
"#;

/// Runs `stackc check` on `stack` (as `stack.kdl`, with `files` beside it) and snapshots the
/// outcome.
fn check(name: &str, stack: &str, files: &[(&str, &str)], args: &[&str]) {
    let scratch = Scratch::new();
    scratch.write("stack.kdl", stack);
    for (path, text) in files {
        scratch.write(path, text);
    }
    let mut command = scratch.stackc(&["check", "stack.kdl"]);
    command.args(args);
    let text = outcome(&mut command, &[]);
    assert!(text.starts_with("exit: 1\n"), "{name} should fail with exit 1:\n{text}");
    let mut json = scratch.stackc(&["check", "stack.kdl", "--format", "json"]);
    json.args(args);
    assert_json_matches_text(name, &run(&mut json), &text);
    insta::assert_snapshot!(name, text);
}

/// `--format json` reports the same diagnostics as the text report, in the same order, each
/// at the position its code frame shows (`╭─[file:line:column]`), and nothing else on stdout.
pub(crate) fn assert_json_matches_text(name: &str, json: &std::process::Output, text: &str) {
    assert_eq!(json.status.code(), Some(1), "{name}: --format json fails the same way");
    let stdout = String::from_utf8(json.stdout.clone()).expect("UTF-8");
    let from_json: Vec<(String, Option<String>)> = stdout
        .lines()
        .map(|line| {
            let d: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {line}"));
            let at = d["file"].as_str().map(|f| format!("{f}:{}:{}", d["line"], d["column"]));
            (d["code"].as_str().expect("a code").to_owned(), at)
        })
        .collect();
    // The text report: each diagnostic starts with its code; its frame names the position.
    let mut from_text: Vec<(String, Option<String>)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("stackc::") && !trimmed.contains(' ') {
            from_text.push((trimmed.to_owned(), None));
        } else if let (Some(last), Some(at)) = (from_text.last_mut(), trimmed.strip_prefix("╭─["))
            && last.1.is_none()
        {
            last.1 = Some(at.trim_end_matches(']').to_owned());
        }
    }
    assert!(!from_json.is_empty(), "{name}: no JSON diagnostic:\n{}", String::from_utf8_lossy(&json.stderr));
    assert_eq!(from_json, from_text, "{name}: JSON diagnostics differ from the text report:\n{stdout}\n{text}");
}

#[test]
fn base_is_valid() {
    let scratch = Scratch::new();
    scratch.write("stack.kdl", BASE);
    let text = outcome(&mut scratch.stackc(&["check", "stack.kdl"]), &[]);
    assert!(text.starts_with("exit: 0\n"), "{text}");
}

#[test]
fn syntax_error() {
    check("syntax_error", &BASE.replace("listen (param)\"port\"", "listen (param)\"port"), &[], &[]);
}

#[test]
fn unknown_plugin() {
    check("unknown_plugin", &BASE.replace("plugin=\"nginx\"", "plugin=\"ngnix\""), &[], &[]);
}

#[test]
fn unknown_host_or_group() {
    check("unknown_host_or_group", &BASE.replace("on=\"web1\"", "on=\"webb\""), &[], &[]);
}

#[test]
fn dangling_reference() {
    let stack = format!(
        "{BASE}service \"proxy\" plugin=\"nginx\" on=\"web\" {{\n    upstream \"app\" {{\n        servers (ref)\"sit.http\"\n    }}\n}}\n"
    );
    check("dangling_reference", &stack, &[], &[]);
}

#[test]
fn reference_to_missing_export() {
    let stack = format!(
        "{BASE}service \"proxy\" plugin=\"nginx\" on=\"web\" {{\n    listen 81\n    upstream \"app\" {{\n        servers (ref)\"site.htp\"\n    }}\n}}\n"
    );
    check("reference_to_missing_export", &stack, &[], &[]);
}

#[test]
fn duplicate_service() {
    let stack = format!("{BASE}service \"site\" plugin=\"nginx\" on=\"web1\"\n");
    check("duplicate_service", &stack, &[], &[]);
}

#[test]
fn param_type_mismatch() {
    check("param_type_mismatch", &BASE.replace("default=8080", "default=\"8080\""), &[], &[]);
}

#[test]
fn set_unknown_param() {
    check("set_unknown_param", BASE, &[], &["--set", "prot=80"]);
}

#[test]
fn set_bad_value() {
    check("set_bad_value", BASE, &[], &["--set", "port=0"]);
}

#[test]
fn unknown_config_key() {
    check(
        "unknown_config_key",
        &BASE.replace("listen (param)\"port\"", "listen (param)\"port\"\n    roots \"/srv\""),
        &[],
        &[],
    );
}

#[test]
fn wrong_value_type() {
    check("wrong_value_type", &BASE.replace("listen (param)\"port\"", "listen \"eighty\""), &[], &[]);
}

#[test]
fn include_cycle() {
    let stack = format!("{BASE}include \"a.kdl\"\n");
    check("include_cycle", &stack, &[("a.kdl", "include \"b.kdl\"\n"), ("b.kdl", "include \"a.kdl\"\n")], &[]);
}

#[test]
fn unreadable_include() {
    let stack = format!("{BASE}include \"hosts.kdl\"\n");
    check("unreadable_include", &stack, &[], &[]);
}

#[test]
fn unreadable_root() {
    let scratch = Scratch::new();
    let text = outcome(&mut scratch.stackc(&["check", "missing.kdl"]), &[]);
    insta::assert_snapshot!("unreadable_root", text);
}

#[test]
fn literal_secret() {
    let stack = r#"stack "demo"
host "web1" address="10.0.0.1"
service "site" plugin="nginx" on="web1" {
    db-password "hunter2"
}
"#;
    check("literal_secret", stack, &[], &[]);
}

#[test]
fn plugin_config_error_points_into_nested_block() {
    let stack = r#"stack "demo"
host "web1" address="10.0.0.1"
service "site" plugin="nginx" on="web1" {
    location "/" {
        proxy "nowhere"
        read-timeout "2 seconds"
    }
}
"#;
    check("plugin_config_error_nested", stack, &[], &[]);
}

#[test]
fn every_error_is_reported_at_once() {
    let stack = r#"stack "demo"
host "web1" address="10.0.0.1"
service "a" plugin="ngnix" on="web1"
service "b" plugin="nginx" on="nowhere"
service "c" plugin="nginx" on="web1" {
    listen (param)"nope"
}
"#;
    check("several_errors", stack, &[], &[]);
}

/// A certificate is not a key: the neighbouring secret is not suggested, the declaration is.
#[test]
fn unknown_secret_names_the_declaration_to_add() {
    let stack = format!(
        "{BASE}secret \"proxy-tls-key\" vault=\"vault_proxy_tls_key\"\nservice \"proxy\" plugin=\"nginx\" on=\"web\" {{\n    tls {{\n        certificate (secret)\"proxy-tls-cert\"\n        key (secret)\"proxy-tls-key\"\n    }}\n}}\n"
    );
    check("unknown_secret_names_the_declaration_to_add", &stack, &[], &[]);
}

#[test]
fn kdl_1_keywords_get_their_kdl_2_spelling() {
    check("kdl_1_boolean", &BASE.replace("min=1", "required=true min=1"), &[], &[]);
    let scratch = Scratch::new();
    scratch.write("stack.kdl", &BASE.replace("default=8080", "default=null"));
    let text = outcome(&mut scratch.stackc(&["check", "stack.kdl"]), &[]);
    assert!(text.contains("bare `null` is not a value in KDL 2") && text.contains("write `default=#null`"), "{text}");
}

/// A file of hosts checked on its own is a fragment: no advice to add a `stack` node to it.
#[test]
fn a_fragment_is_named_as_one_with_its_stack() {
    check(
        "include_fragment",
        &BASE.replace("host \"web1\" address=\"10.0.0.1\" {\n    groups \"web\"\n}\n", "include \"inc/hosts.kdl\"\n"),
        &[("inc/hosts.kdl", "host \"web1\" address=\"10.0.0.1\" {\n    groups \"web\"\n}\n")],
        &["inc/hosts.kdl"],
    );
}

/// A param, a secret and a host nothing uses are warnings: `check` passes and shows them;
/// `--deny warnings` makes them fail the run.
#[test]
fn unused_declarations_are_warnings_unless_denied() {
    let stack = BASE.replace(
        "service \"site\"",
        "param \"unused\" type=\"string\" default=\"x\"\nsecret \"db-password\" vault=\"vault_db_password\"\nhost \"idle\" address=\"10.0.0.9\"\nservice \"site\"",
    );
    let scratch = Scratch::new();
    scratch.write("stack.kdl", &stack);
    let text = outcome(&mut scratch.stackc(&["check", "stack.kdl"]), &[]);
    assert!(text.starts_with("exit: 0\n"), "warnings alone pass:\n{text}");
    for warning in ["param `unused` is never used", "secret `db-password` is never used", "host `idle` runs no service"]
    {
        assert!(text.contains(warning), "{warning}:\n{text}");
    }
    check("unused_declarations_denied", &stack, &[], &["--deny", "warnings"]);
}

/// A dangling reference in one service does not hide what the plugin finds wrong in another:
/// both are reported in one run.
#[test]
fn resolution_errors_do_not_hide_plugin_errors_elsewhere() {
    let stack = format!(
        "{BASE}service \"other\" plugin=\"nginx\" on=\"web1\" {{\n    listen 99999\n}}\n\
         service \"proxy\" plugin=\"nginx\" on=\"web1\" {{\n    listen 81\n    upstream \"s\" {{\n        servers (ref)\"sitee.http\"\n    }}\n}}\n"
    );
    check("resolution_errors_do_not_hide_plugin_errors_elsewhere", &stack, &[], &[]);
}

/// Six independent mistakes in four services (and a host), all reported in one run: a wrong
/// type and an unknown key in one service, a port out of range in another, a dangling reference
/// and an unknown secret in the last two, and an address that is not one.
#[test]
fn six_mistakes_in_four_services_all_at_once() {
    let stack = r#"stack "mistakes"
secret "tls-key" vault="vault_tls_key"
host "web1" address="10.0.0.1" {
    groups "web"
}
host "bad" address="10.0.0.300"
service "a" plugin="nginx" on="web1" {
    listen "eighty"
    fooo 1
}
service "b" plugin="nginx" on="web1" {
    listen 99999
}
service "c" plugin="nginx" on="web1" {
    listen 82
    upstream "s" {
        servers (ref)"sitee.http"
    }
}
service "d" plugin="nginx" on="web1" {
    listen 443
    tls {
        certificate (secret)"tls-cert"
        key (secret)"tls-key"
    }
}
"#;
    check("six_mistakes_in_four_services_all_at_once", stack, &[], &[]);
}

/// Two services on one port of one host: an error with both services' spans.
#[test]
fn port_collision() {
    let stack = BASE.to_owned() + "service \"other\" plugin=\"nginx\" on=\"web\" {\n    listen 8080\n}\n";
    check("port_collision", &stack, &[], &[]);
}
