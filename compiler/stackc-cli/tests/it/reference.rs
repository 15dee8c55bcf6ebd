//! What plugins accept, without reading their source: `stackc schema`, `stackc docs` (the
//! built-ins' pages committed under `docs/plugins/`), `stackc render --config`, and shell
//! completions.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{
    Scratch, build_c_plugin, build_hello_plugin, build_stack, files_under, outcome, render, run, stackc, tool,
    workspace,
};

/// The hello plugin's component, as the tutorial stack declares it.
const HELLO: &str = "examples/plugins/hello-plugin/target/stackc/hello.wasm";
/// The C plugin's component, as `examples/stacks/05-c-plugin` declares it.
const MOTD: &str = "examples/plugins/motd-c/target/stackc/motd.wasm";

#[test]
fn the_committed_plugin_reference_is_what_stackc_docs_writes() {
    let fresh = tempfile::tempdir().expect("tempdir");
    let output = run(stackc().current_dir(workspace()).arg("docs").arg("--out").arg(fresh.path()));
    assert!(output.status.success(), "{}", render(&output, &[]));
    let committed = workspace().join("docs/plugins");
    assert_eq!(
        files_under(&committed, &[]),
        files_under(fresh.path(), &[]),
        "docs/plugins/ lists other plugins than `stackc docs` writes: run `stackc docs --out docs/plugins`"
    );
    for name in files_under(fresh.path(), &[]) {
        let want = fs::read_to_string(fresh.path().join(&name)).expect("fresh page");
        let have = fs::read_to_string(committed.join(&name)).expect("committed page");
        assert!(have == want, "docs/plugins/{name} is stale: run `stackc docs --out docs/plugins`");
    }
}

/// Every service of the repository's stacks and examples: its config, as its plugin receives
/// it, is valid against the schema the plugin describes it with (check-jsonschema).
#[test]
fn every_service_config_of_the_repository_validates_against_its_plugins_schema() {
    build_hello_plugin();
    build_c_plugin();
    let scratch = tempfile::tempdir().expect("scratch");
    let out = scratch.path().join("out");
    let mut by_plugin: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let stacks = ["web-tls", "bookworm-lab", "welltory", "octopus", "api-ha", "tasktracker"]
        .map(|s| format!("stacks/{s}.kdl"))
        .into_iter()
        .chain(
            ["01-static-site", "02-reverse-proxy", "03-hello-plugin", "04-language", "05-c-plugin"]
                .map(|e| format!("examples/stacks/{e}/stack.kdl")),
        );
    for stack in stacks {
        let bundle = build_stack(&stack, &out, &[]);
        for (service, plugin) in services(&bundle) {
            let config =
                run(stackc().current_dir(workspace()).args(["render", &stack, "--service", &service, "--config"]));
            assert!(config.status.success(), "{}", render(&config, &[]));
            let file = scratch.path().join(format!("{}-{service}.json", stack.replace('/', "_")));
            fs::write(&file, &config.stdout).expect("write config");
            by_plugin.entry(plugin).or_default().push(file);
        }
    }
    assert!(by_plugin.len() > 20, "most built-ins are used by some stack: {:?}", by_plugin.keys());
    for (plugin, configs) in &by_plugin {
        let spec = match plugin.as_str() {
            "hello" => HELLO.to_owned(),
            "motd" => MOTD.to_owned(),
            _ => plugin.clone(),
        };
        let schema = schema_file(&spec, scratch.path());
        let output = run(Command::new(tool("check-jsonschema")).arg("--schemafile").arg(&schema).args(configs));
        assert!(output.status.success(), "configs of `{plugin}` its schema refuses:\n{}", render(&output, &[]));
    }
}

/// The check above can fail: a config the plugin refuses is refused by its schema too.
#[test]
fn a_config_the_plugin_refuses_is_refused_by_its_schema() {
    let scratch = Scratch::new();
    scratch.write(
        "stack.kdl",
        "stack \"demo\"\nhost \"web1\" address=\"10.0.0.1\"\nservice \"site\" plugin=\"nginx\" on=\"web1\" {\n    listen \"eighty\"\n    sever-name \"a\"\n}\n",
    );
    let checked = run(&mut scratch.stackc(&["check", "stack.kdl"]));
    assert_eq!(checked.status.code(), Some(1), "{}", render(&checked, &[]));
    let config = run(&mut scratch.stackc(&["render", "stack.kdl", "--service", "site", "--config"]));
    // Rendering needs a valid stack; the config as the plugin would receive it is written by hand.
    assert_eq!(config.status.code(), Some(1));
    fs::write(scratch.path().join("config.json"), r#"{"listen": "eighty", "sever-name": "a"}"#).expect("write");
    let schema = schema_file("nginx", scratch.path());
    let output = run(Command::new(tool("check-jsonschema"))
        .arg("--schemafile")
        .arg(&schema)
        .arg(scratch.path().join("config.json")));
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("'eighty' is not of type") && text.contains("sever-name"), "{text}");
}

#[test]
fn schema_of_an_unknown_plugin_suggests_one() {
    insta::assert_snapshot!(outcome(stackc().args(["schema", "ngnix"]), &[]));
}

#[test]
fn render_config_prints_what_the_plugin_receives() {
    insta::assert_snapshot!(outcome(
        stackc().current_dir(workspace()).args(["render", "stacks/web-tls.kdl", "--service", "proxy", "--config"]),
        &[]
    ));
}

#[test]
fn completion_scripts_are_valid_shell() {
    for (shell, checker) in [("bash", "bash"), ("zsh", ""), ("fish", "")] {
        let output = run(stackc().args(["completions", shell]));
        assert!(output.status.success(), "{}", render(&output, &[]));
        let script = String::from_utf8(output.stdout).expect("UTF-8");
        assert!(script.contains("render") && script.contains("locked"), "{shell} completes commands and flags");
        if !checker.is_empty() {
            let file = tempfile::NamedTempFile::new().expect("script file");
            fs::write(file.path(), &script).expect("write script");
            let syntax = run(Command::new(checker).arg("-n").arg(file.path()));
            assert!(syntax.status.success(), "{shell} script:\n{}", render(&syntax, &[]));
        }
    }
}

/// `stackc schema SPEC` written to a file in `dir`.
fn schema_file(spec: &str, dir: &Path) -> PathBuf {
    let output = run(stackc().current_dir(workspace()).args(["schema", spec]));
    assert!(output.status.success(), "{}", render(&output, &[]));
    serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("the schema is JSON");
    let file = dir.join(format!("{}.schema.json", spec.replace('/', "_")));
    fs::write(&file, &output.stdout).expect("write schema");
    file
}

/// `(service, plugin name)` of every service in a bundle's manifest.
fn services(bundle: &Path) -> Vec<(String, String)> {
    let manifest = fs::read_to_string(bundle.join("manifest.toml")).expect("manifest");
    let mut out = Vec::new();
    let mut service = None;
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix("[services.").and_then(|l| l.strip_suffix(']')) {
            service = Some(name.trim_matches('"').to_owned());
        } else if let (Some(name), Some(plugin)) = (&service, line.strip_prefix("plugin = \"")) {
            let plugin = plugin.split('@').next().expect("name@version");
            out.push((name.clone(), plugin.to_owned()));
            service = None;
        }
    }
    assert!(!out.is_empty(), "no service in {}", bundle.display());
    out
}
