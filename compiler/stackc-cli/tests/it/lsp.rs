//! `stackc lsp`: the real binary driven over its stdio with JSON-RPC, as an editor drives it,
//! and once by a real editor (Neovim's built-in client, headless).

mod client;
mod neovim;

use std::path::Path;

use serde_json::{Value, json};

use crate::common::Scratch;
use client::Client;

const STACK: &str = r#"stack "shop"

param "upstream_keepalive" type="int" default=16 min=0 max=1024 doc="idle upstream connections per worker"

include "hosts.kdl"

service "site" plugin="nginx" on="web1" {
    listen 80
    root "/var/www/site"
}

service "proxy" plugin="nginx" on="edge" {
    listen 8080
    upstream "site" {
        servers (ref)"site.http"
        keepalive (param)"upstream_keepalive"
    }
    location "/" {
        proxy "site"
    }
}

module "status" path="modules/status.kdl" {
    on "web"
}
"#;

const HOSTS: &str = r#"host "web1" address="10.20.0.11" {
    groups "web"
}

host "proxy1" address="10.20.0.12" {
    groups "edge"
}
"#;

const MODULE: &str = r#"param "on" type="string" doc="the host or group the page runs on"

service (fmt)"{instance}-page" plugin="nginx" on=(param)"on" {
    listen 8081
}
"#;

/// A directory with the stack, its hosts and its module, as saved on disk.
fn shop() -> Scratch {
    let scratch = Scratch::new();
    scratch.write("stack.kdl", STACK).write("hosts.kdl", HOSTS).write("modules/status.kdl", MODULE);
    scratch
}

/// The `file:` URI of a path (test directories need no escapes).
pub fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    assert!(path.to_string_lossy().chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)));
    format!("file://{}", path.display())
}

/// The position of the `nth` occurrence of `marker` in `text`, moved `delta` bytes on.
fn position(text: &str, marker: &str, nth: usize, delta: usize) -> Value {
    let offset = text.match_indices(marker).nth(nth).unwrap_or_else(|| panic!("no `{marker}`")).0;
    position_of(text, offset + delta)
}

/// A byte offset in lines and UTF-16 code units.
fn position_of(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column: usize = before.rsplit('\n').next().expect("a line").chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": column })
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn initialize_advertises_exactly_what_is_implemented() {
    let scratch = shop();
    let (client, result) = Client::start(scratch.path());
    assert_eq!(result["serverInfo"]["name"], "stackc");
    insta::assert_snapshot!(serde_json::to_string_pretty(&result["capabilities"]).expect("JSON"));
    assert!(client.shutdown().success());
}

#[test]
fn diagnostics_follow_the_unsaved_text_as_check_reports_them() {
    let scratch = shop();
    let stack = uri(&scratch.path().join("stack.kdl"));
    let (mut client, _) = Client::start(scratch.path());

    // Typed, not saved: a misspelt plugin after characters that take two UTF-16 units.
    let typo = STACK.replace("service \"site\" plugin=\"nginx\"", "/* 🚀 ünïcode */ service \"site\" plugin=\"ngnix\"");
    client.open(&stack, &typo);
    let diagnostics = client.diagnostics(&stack);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "stackc::resolve::unknown-plugin");
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "stackc");
    let property = "plugin=\"ngnix\"";
    let start = position(&typo, property, 0, 0);
    let end = position(&typo, property, 0, property.len());
    assert_eq!(diagnostic["range"], json!({ "start": start, "end": end }));
    assert_eq!(start, json!({ "line": 6, "character": 32 }), "🚀 counts two units, ü and ï one each");

    // `stackc check` on the same text says the same.
    scratch.write("saved.kdl", &typo);
    let check = scratch.stackc(&["check", "saved.kdl"]).output().expect("run stackc check");
    let report = String::from_utf8_lossy(&check.stderr);
    let message = diagnostic["message"].as_str().expect("a message");
    let (first, help) = message.split_once("\nhelp: ").expect("the help line");
    assert!(report.contains(first) && report.contains(help), "{message}\nnot in\n{report}");
    assert_eq!(help, "did you mean `nginx`?");

    client.change(&stack, 2, STACK);
    assert_eq!(client.diagnostics(&stack), Vec::<Value>::new());

    let unclosed = STACK.replace("    root \"/var/www/site\"\n}", "    root \"/var/www/site\"\n");
    client.change(&stack, 3, &unclosed);
    let diagnostics = client.diagnostics(&stack);
    assert!(diagnostics.iter().any(|d| d["code"] == "stackc::syntax"), "{diagnostics:#?}");
    assert!(client.shutdown().success());
}

#[test]
fn an_included_file_gets_its_diagnostics_at_its_own_uri() {
    let scratch = shop();
    scratch.write("hosts.kdl", &HOSTS.replace("10.20.0.12", "10.20.0.300"));
    let (stack, hosts) = (uri(&scratch.path().join("stack.kdl")), uri(&scratch.path().join("hosts.kdl")));
    let (mut client, _) = Client::start(scratch.path());

    client.open(&stack, STACK);
    let diagnostics = client.diagnostics(&hosts);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let start = position(HOSTS, "address=\"10.20.0.12\"", 0, 0);
    assert_eq!(diagnostics[0]["range"]["start"], start);
    assert!(diagnostics[0]["message"].as_str().expect("message").contains("10.20.0.300"));

    // The fix, typed into the included file and not saved, clears it.
    client.open(&hosts, HOSTS);
    assert_eq!(client.diagnostics(&hosts), Vec::<Value>::new());
    // Closed unsaved, the file is the disk's again; closing the stack too withdraws it all.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": hosts } }));
    assert_eq!(client.diagnostics(&hosts).len(), 1);
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": stack } }));
    assert_eq!(client.diagnostics(&hosts), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn hover_shows_config_keys_references_and_params() {
    let scratch = shop();
    let stack = uri(&scratch.path().join("stack.kdl"));
    let (mut client, _) = Client::start(scratch.path());
    client.open(&stack, STACK);
    assert_eq!(client.diagnostics(&stack), Vec::<Value>::new());

    let mut shown = String::new();
    for (what, marker, nth) in [
        ("a key of the service block", "listen", 0),
        ("a key inside a keyed block", "keepalive ", 0),
        ("a reference", "site.http", 0),
        ("a param", "upstream_keepalive\"", 1),
        ("a plugin", "nginx", 0),
    ] {
        let hover = client.request("textDocument/hover", at(&stack, position(STACK, marker, nth, 1)));
        assert_eq!(hover["contents"]["kind"], "markdown", "{what}: {hover}");
        let text = hover["contents"]["value"].as_str().expect("markdown");
        shown.push_str(&format!("## {what}\n{text}\n\n"));
    }
    insta::assert_snapshot!(shown);
    let nothing = client.request("textDocument/hover", at(&stack, position(STACK, "stack", 0, 1)));
    assert_eq!(nothing, Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_plugins_keys_references_and_params() {
    let scratch = shop();
    let stack = uri(&scratch.path().join("stack.kdl"));
    let (mut client, _) = Client::start(scratch.path());
    client.open(&stack, STACK);
    assert_eq!(client.diagnostics(&stack), Vec::<Value>::new());
    let mut version = 1;
    // Types `typed` on a line of its own after `after` and asks for completion at its end.
    let mut complete = |after: &str, typed: &str| -> Vec<String> {
        let text = STACK.replacen(after, &format!("{after}{typed}\n"), 1);
        version += 1;
        client.change(&stack, version, &text);
        let cursor = position_of(&text, STACK.find(after).expect("in the stack") + after.len() + typed.len());
        let result = client.request("textDocument/completion", at(&stack, cursor));
        let items = result.as_array().expect("a list of items");
        items.iter().map(|i| i["label"].as_str().expect("a label").to_owned()).collect()
    };
    let includes = |labels: &[String], expected: &[&str]| {
        let missing: Vec<_> = expected.iter().filter(|e| !labels.iter().any(|l| l == *e)).collect();
        assert!(missing.is_empty(), "{missing:?} missing from {labels:?}");
    };

    let plugins = complete("\n\n", "service \"new\" plugin=\"ng");
    includes(&plugins, &["nginx", "haproxy", "prometheus"]);
    let keys = complete("    root \"/var/www/site\"\n", "    ");
    includes(&keys, &["listen", "root", "tls", "location", "upstream", "status"]);
    let nested = complete("    upstream \"site\" {\n", "        ");
    includes(&nested, &["servers", "keepalive", "balance"]);
    assert!(!nested.contains(&"listen".to_owned()), "{nested:?}");
    let services = complete("    location \"/\" {\n", "        mirror (ref)\"");
    includes(&services, &["site", "proxy", "status-page"]);
    let exports = complete("    location \"/\" {\n", "        mirror (ref)\"site.");
    includes(&exports, &["http"]);
    let params = complete("    location \"/\" {\n", "        size (param)\"up");
    assert_eq!(params, ["upstream_keepalive"]);
    assert!(client.shutdown().success());
}

#[test]
fn definition_of_references_params_includes_and_modules() {
    let scratch = shop();
    let dir = scratch.path();
    let stack = uri(&dir.join("stack.kdl"));
    let (mut client, _) = Client::start(dir);
    client.open(&stack, STACK);
    assert_eq!(client.diagnostics(&stack), Vec::<Value>::new());
    let mut definition = |marker: &str, nth: usize| {
        client.request("textDocument/definition", at(&stack, position(STACK, marker, nth, 2)))
    };

    let site = definition("site.http", 0);
    let name = "\"site\"";
    let range = json!({ "start": position(STACK, name, 0, 0), "end": position(STACK, name, 0, name.len()) });
    assert_eq!(site, json!({ "uri": stack, "range": range }));
    let param = definition("upstream_keepalive\"", 1);
    assert_eq!(param["range"]["start"], position(STACK, "\"upstream_keepalive\"", 0, 0));
    let start = json!({ "line": 0, "character": 0 });
    let hosts = definition("hosts.kdl", 0);
    assert_eq!(hosts, json!({ "uri": uri(&dir.join("hosts.kdl")), "range": { "start": start, "end": start } }));
    let module = definition("modules/status.kdl", 0);
    assert_eq!(module["uri"], uri(&dir.join("modules/status.kdl")));
    assert_eq!(definition("\"web\"", 0), Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn formatting_is_stackc_fmt_as_one_edit() {
    let scratch = shop();
    let stack = uri(&scratch.path().join("stack.kdl"));
    let (mut client, _) = Client::start(scratch.path());
    let messy = STACK.replace("    ", "  ").replace("service \"site\"", "service   \"site\"");
    assert_ne!(messy, STACK);
    client.open(&stack, &messy);
    let params = json!({ "textDocument": { "uri": stack }, "options": { "tabSize": 4, "insertSpaces": true } });
    let edits = client.request("textDocument/formatting", params.clone());
    let edits = edits.as_array().expect("a list of edits");
    assert_eq!(edits.len(), 1, "{edits:?}");
    // The edit gives the text `stackc fmt` writes.
    scratch.write("messy.kdl", &messy);
    let fmt = scratch.stackc(&["fmt", "-q", "messy.kdl"]).output().expect("run stackc fmt");
    assert!(fmt.status.success());
    let formatted = std::fs::read_to_string(scratch.path().join("messy.kdl")).expect("read");
    assert_eq!(edits[0]["newText"], formatted.as_str());
    assert_eq!(edits[0]["range"]["start"], json!({ "line": 0, "character": 0 }));
    client.change(&stack, 2, &formatted);
    assert_eq!(client.request("textDocument/formatting", params), json!([]), "nothing left to format");
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let scratch = shop();
    let (client, _) = Client::start(scratch.path());
    assert_eq!(client.exit_without_shutdown().code(), Some(1));
}
