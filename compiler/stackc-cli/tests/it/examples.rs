//! Examples never rot: every tutorial stack builds, and the example plugin is what the
//! scaffold writes.

use std::fs;

use crate::common::{Scratch, Tour, build_c_plugin, build_hello_plugin, build_stack, files_under, workspace};

#[test]
fn every_example_stack_builds() {
    // `03-hello-plugin` and `05-c-plugin` use the example plugins, pinned by digest.
    build_hello_plugin();
    build_c_plugin();
    let mut found = 0;
    for entry in fs::read_dir(workspace().join("examples/stacks")).expect("examples/stacks") {
        let stack = entry.expect("entry").path().join("stack.kdl");
        if !stack.exists() {
            continue;
        }
        let out = Scratch::new();
        let relative = stack.strip_prefix(workspace()).expect("inside the workspace").to_string_lossy().into_owned();
        // build_stack names the output after the file stem; examples are all `stack.kdl`.
        let bundle = build_stack(&relative, out.path(), &[]);
        assert!(bundle.join("manifest.toml").exists(), "{relative}");
        found += 1;
    }
    assert!(found >= 3, "expected the tutorial stacks, found {found}");
}

/// The language tour: `(file)` pages arrive byte for byte on every web server, `--values`
/// applies before `--set`, and a file that leaves the stack's directory, through `..` or a
/// symlink, is refused.
#[test]
fn the_language_tour_reads_its_pages_and_values() {
    let stack = "examples/stacks/04-language/stack.kdl";
    let out = Scratch::new();
    let values = ["--values", "examples/stacks/04-language/values/prod.kdl"];
    let bundle = build_stack(stack, out.path(), &[&values[..], &["--set", "web_servers=4"]].concat());
    let pages = workspace().join("examples/stacks/04-language/pages");
    for host in ["web1", "web4"] {
        for page in ["index.html", "about.html"] {
            let built = fs::read(bundle.join(format!("hosts/{host}/var/www/site/{page}"))).expect("a page");
            assert_eq!(built, fs::read(pages.join(page)).expect("the source page"), "{host}: {page}");
        }
    }
    assert!(!bundle.join("hosts/web5").exists() && bundle.join("hosts/edge2").exists());

    let scratch = Scratch::new();
    scratch.write("outside.txt", "secret\n");
    scratch.write("stack/pages/index.html", "<h1>x</h1>\n");
    std::os::unix::fs::symlink(scratch.path().join("outside.txt"), scratch.path().join("stack/pages/leak.html"))
        .expect("symlink");
    let site = |files: &str| {
        format!(
            "stack \"s\"\nhost \"w\" address=\"10.0.0.1\"\nservice \"site\" plugin=\"nginx\" on=\"w\" {{\n    files (file){files}\n}}\n"
        )
    };
    for (files, expected) in [
        ("\"../outside.txt\"", "`../outside.txt` is outside the stack's directory"),
        ("\"pages\"", "`leak.html` is a symlink leading outside the stack's directory"),
        ("\"pages/leak.html\"", "a symlink leads outside the stack's directory"),
    ] {
        scratch.write("stack/stack.kdl", &site(files));
        let output = scratch.stackc(&["check", "stack/stack.kdl"]).output().expect("run stackc");
        let text = crate::common::render(&output, &[]);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains(expected), "{files}: {text}");
    }
}

/// The language reference's examples of params, `for`, `if`, `(fmt)`, modules, `(file)` and
/// `defaults` are excerpts of the language tour, which the tests build: each `kdl` block of the
/// param section and of the sections from repetition to the design notes must appear in a
/// file of the tour.
#[test]
fn the_language_reference_shows_what_the_tour_builds() {
    let reference = fs::read_to_string(workspace().join("docs/language.md")).expect("docs/language.md");
    let section = |from: &str, to: &str| {
        let start = reference.find(from).unwrap_or_else(|| panic!("no `{from}` in docs/language.md"));
        let end = reference[start..].find(to).unwrap_or_else(|| panic!("no `{to}` after `{from}`"));
        &reference[start..start + end]
    };
    let sections = [section("## `param`", "## `secret`"), section("## Repetition", "## Why these forms")];
    let tour = Tour::read();
    let mut blocks = 0;
    for block in sections.iter().flat_map(|s| s.split("```kdl\n").skip(1)) {
        let block = block.split("```").next().expect("a closed block");
        // The first param block shows older types, written out in the section's own words.
        if block.contains("redis_nodes") {
            continue;
        }
        assert!(
            tour.contains(block),
            "this example of docs/language.md is not in examples/stacks/04-language:\n{block}"
        );
        blocks += 1;
    }
    assert!(blocks >= 7, "only {blocks} examples found: is the reference's layout changed?");
}

#[test]
fn the_hello_plugin_example_is_exactly_what_the_scaffold_writes() {
    let scratch = Scratch::new();
    // An SDK at the same place relative to the new crate as in the repository, so that the
    // scaffold writes the same relative dependency path.
    scratch.write("plugins/stackc-plugin-sdk/Cargo.toml", "[package]\n");
    let output = scratch
        .stackc(&[
            "plugin",
            "new",
            "hello",
            "--path",
            "examples/plugins/hello-plugin",
            "--sdk",
            "plugins/stackc-plugin-sdk",
        ])
        .output()
        .expect("run stackc");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let fresh = scratch.path().join("examples/plugins/hello-plugin");
    let example = workspace().join("examples/plugins/hello-plugin");
    // `target/` is cargo's output (ignored by git).
    let written = files_under(&fresh, &[]);
    assert_eq!(files_under(&example, &["target"]), written, "the example has other files");
    for file in &written {
        let (a, b) = (
            fs::read_to_string(fresh.join(file)).expect("read"),
            fs::read_to_string(example.join(file)).expect("read"),
        );
        assert_eq!(a, b, "examples/plugins/hello-plugin/{file} differs from what `stackc plugin new` writes");
    }
    assert!(written.contains(&"src/lib.rs".to_owned()) && written.contains(&"README.md".to_owned()), "{written:?}");
}
