//! The invariants of `compiler/ARCHITECTURE.md` that can be read off the repository: one test
//! per invariant, whose failure names the line of the document that broke and the files that
//! broke it.

use std::collections::BTreeSet;

use stackc_tidy::{Crate, crates_in, rule, source_files};

/// The crates whose types may be serializable, with serde or by hand.
const SERIALIZABLE: [&str; 1] = ["stackc-bundle"];

/// The one file elsewhere that may make types serializable: the host's `bindgen!`, whose
/// `additional_derives` give the generated WIT records serde for the render cache.
const GENERATED_SERIALIZABLE: [&str; 1] = ["compiler/stackc-plugin-host/src/lib.rs"];

#[test]
fn only_the_bundle_has_serializable_types() {
    let rule = rule("the only crate with serializable types");
    let files = source_files();
    let mut offences = Vec::new();
    for krate in crates_in("compiler").iter().filter(|c| !SERIALIZABLE.contains(&c.name.as_str())) {
        for file in krate.sources(&files).filter(|f| !GENERATED_SERIALIZABLE.contains(&f.path.as_str())) {
            for line in serializable_lines(&file.text) {
                offences.push(format!("{}:{line}: `{}` makes a type serializable", file.path, krate.name));
            }
        }
    }
    rule.holds(&offences);
}

/// The 1-based lines where a derive of `Serialize`/`Deserialize` (also one `bindgen!` adds
/// with `additional_derives`) or an impl of either starts.
fn serializable_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (open, close) in [("derive(", ')'), ("additional_derives: [", ']')] {
        for (start, _) in text.match_indices(open) {
            let derive = &text[start..text[start..].find(close).map_or(text.len(), |end| start + end)];
            if words(derive).any(|w| w == "Serialize" || w == "Deserialize") {
                lines.push(text[..start].lines().count().max(1));
            }
        }
    }
    for (number, line) in text.lines().enumerate() {
        let words: Vec<&str> = words(line).collect();
        let Some(trait_words) = words.iter().position(|w| *w == "for").map(|end| &words[..end]) else { continue };
        if words.first() == Some(&"impl") && trait_words.iter().any(|w| *w == "Serialize" || *w == "Deserialize") {
            lines.push(number + 1);
        }
    }
    lines
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

#[test]
fn the_serializable_check_sees_derives_and_impls() {
    assert_eq!(serializable_lines("#[derive(Debug)]\nstruct A;"), Vec::<usize>::new());
    assert_eq!(serializable_lines("#[derive(Debug, serde::Serialize)]\nstruct A;"), [1]);
    assert_eq!(serializable_lines("/// a\n#[derive(\n    Clone,\n    Deserialize,\n)]\nstruct A;"), [2]);
    assert_eq!(serializable_lines("fn f() {}\nimpl<'de> Deserialize<'de> for A {}"), [2]);
    assert_eq!(serializable_lines("impl serde::Serialize for A {}"), [1]);
    assert_eq!(serializable_lines("bindgen!({\n    additional_derives: [serde::Serialize],\n});"), [2]);
    assert_eq!(serializable_lines("bindgen!({\n    additional_derives: [Hash],\n});"), Vec::<usize>::new());
}

/// What every plugin crate holds, relative to its directory.
const PLUGIN_LAYOUT: [&str; 3] = ["src/lib.rs", "src/config.rs", "src/render.rs"];

#[test]
fn every_plugin_has_the_plugin_layout() {
    let rule = rule("every plugin crate has `src/lib.rs`");
    let root = stackc_tidy::repository();
    let files = source_files();
    let mut offences = Vec::new();
    for plugin in plugin_crates() {
        let dir = root.join(&plugin.dir);
        let mut missing: Vec<&str> = PLUGIN_LAYOUT.iter().copied().filter(|path| !dir.join(path).exists()).collect();
        // A plugin renders templates when its sources name the SDK's `Templates`.
        let templated = plugin.sources(&files).any(|file| words(&file.text).any(|w| w == "Templates"));
        if templated && !dir.join("templates").is_dir() {
            missing.push("templates/");
        }
        if !missing.is_empty() {
            offences.push(format!("{}: has no {}", plugin.dir, missing.join(", ")));
        }
    }
    rule.holds(&offences);
}

/// What a plugin may depend on.
const PLUGIN_DEPENDENCIES: [&str; 3] = ["stackc-plugin-sdk", "serde", "schemars"];

#[test]
fn plugins_depend_only_on_the_sdk_serde_and_schemars() {
    let rule = rule("depend only on the SDK, `serde` and `schemars`; never on compiler");
    let compiler: BTreeSet<String> = crates_in("compiler").into_iter().map(|c| c.name).collect();
    let mut offences = Vec::new();
    for plugin in plugin_crates() {
        for dependency in plugin.dependencies("dependencies") {
            if !PLUGIN_DEPENDENCIES.contains(&dependency.name.as_str()) {
                offences.push(format!("{}/Cargo.toml: [dependencies] {}", plugin.dir, dependency.name));
            }
        }
        for table in ["build-dependencies", "dev-dependencies"] {
            for dependency in plugin.dependencies(table) {
                if compiler.contains(&dependency.name) {
                    offences.push(format!("{}/Cargo.toml: [{table}] {}", plugin.dir, dependency.name));
                }
            }
        }
    }
    rule.holds(&offences);
}

/// Every `plugins/stackc-plugin-*` crate but the SDK.
fn plugin_crates() -> Vec<Crate> {
    let plugins: Vec<Crate> = crates_in("plugins")
        .into_iter()
        .filter(|c| c.dir.starts_with("plugins/stackc-plugin-") && c.name != "stackc-plugin-sdk")
        .collect();
    assert!(plugins.iter().any(|p| p.name == "stackc-plugin-nginx"), "the plugin crates are not found");
    plugins
}

#[test]
fn diag_links_nothing_of_the_workspace_and_no_renderer() {
    let mut forbidden: Vec<String> = crates_in("compiler").into_iter().map(|c| c.name).collect();
    forbidden.push("miette".to_owned());
    links_none_of("stackc-diag", "depends on nothing else in the workspace and renders nothing", &forbidden);
}

#[test]
fn syntax_links_nothing_of_services_plugins_or_wasm() {
    let forbidden = ["stackc-model", "stackc-resolve", "stackc-plugin-host", "wasmtime", "wasmparser", "wit-component"];
    links_none_of("stackc-syntax", "knows nothing about services, plugins, wasm or the filesystem", &forbidden);
}

#[test]
fn model_links_no_kdl_wasmtime_or_serde() {
    let forbidden = ["kdl", "stackc-syntax", "wasmtime", "stackc-plugin-host", "serde", "serde_json", "toml"];
    links_none_of("stackc-model", "plain data: no `kdl`, no `wasmtime`, no serde, no I/O", &forbidden);
}

/// Holds the rule that says `says`: crate `name` links none of `forbidden`, directly or
/// through the workspace crates it depends on.
fn links_none_of(name: &str, says: &str, forbidden: &[impl AsRef<str>]) {
    let rule = rule(says);
    let compiler = crates_in("compiler");
    let krate = compiler.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no crate `{name}`"));
    let linked = krate.linked(&compiler);
    let offences: Vec<String> = forbidden
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| *f != name && linked.contains(*f))
        .map(|f| format!("{}/Cargo.toml: `{name}` links `{f}`", krate.dir))
        .collect();
    rule.holds(&offences);
}

/// What only the CLI may depend on: (crate, feature or `None` for the crate itself).
const CLI_ONLY_DEPENDENCIES: [(&str, Option<&str>); 2] = [("clap", None), ("miette", Some("fancy"))];

#[test]
fn only_the_cli_depends_on_clap_and_the_fancy_renderer() {
    let rule = rule("the only crate that touches the filesystem, environment variables,");
    let mut offences = Vec::new();
    for krate in crates_in("compiler").iter().filter(|c| c.name != "stackc-cli") {
        for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
            for dependency in krate.dependencies(table) {
                for (name, feature) in CLI_ONLY_DEPENDENCIES {
                    if dependency.name == name && feature.is_none_or(|f| dependency.features.contains(f)) {
                        let what = feature.map_or(name.to_owned(), |f| format!("{name} with `{f}`"));
                        offences.push(format!("{}/Cargo.toml: [{table}] {what}", krate.dir));
                    }
                }
            }
        }
    }
    rule.holds(&offences);
}

/// Crates that touch the filesystem or the environment by design: `stackc-wasm-build` runs
/// cargo on plugin crates (for build scripts and `stackc plugin build`); `stackc-tidy` reads
/// the repository, in tests only.
const TOOL_CRATES: [&str; 3] = ["stackc-cli", "stackc-wasm-build", "stackc-tidy"];

/// Paths through which code reaches the filesystem, the environment or the terminal.
const IO_PATHS: [&str; 8] = ["std::fs", "fs::", "std::env", "env::", "println!", "eprintln!", "print!", "eprint!"];

#[test]
fn only_the_cli_touches_the_filesystem_environment_and_terminal() {
    let rule = rule("the only crate that touches the filesystem, environment variables,");
    let files = source_files();
    let mut offences = Vec::new();
    for krate in crates_in("compiler").iter().filter(|c| !TOOL_CRATES.contains(&c.name.as_str())) {
        for file in krate.sources(&files) {
            for (number, line) in file.text.lines().enumerate() {
                if let Some(path) = io_path(line) {
                    offences.push(format!("{}:{}: `{path}`: {}", file.path, number + 1, line.trim()));
                }
            }
        }
    }
    rule.holds(&offences);
}

/// The first of [`IO_PATHS`] the line uses as a path of its own (`fs::read`, not
/// `Refs::Resolved`), comments aside.
fn io_path(line: &str) -> Option<&'static str> {
    let code = line.split("//").next().unwrap_or_default();
    IO_PATHS.into_iter().find(|path| {
        code.match_indices(path).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
    })
}

#[test]
fn the_io_check_sees_paths_not_names_that_end_alike() {
    assert_eq!(io_path("use std::fs;"), Some("std::fs"));
    assert_eq!(io_path("    let text = fs::read_to_string(path)?;"), Some("fs::"));
    assert_eq!(io_path("    let home = env::var(\"HOME\");"), Some("env::"));
    assert_eq!(io_path("    eprintln!(\"{x}\");"), Some("eprintln!"));
    assert_eq!(io_path("    Refs::Resolved(r) => r,"), None);
    assert_eq!(io_path("    let dir = env!(\"CARGO_MANIFEST_DIR\");"), None);
    assert_eq!(io_path("    // reads nothing with fs::read"), None);
}
