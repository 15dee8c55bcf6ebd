//! `stackc fmt`: the repository is formatted, formatting is idempotent, restores a file's
//! canonical layout from any other, and never changes what a stack builds.

use std::fs;

use crate::common::{Scratch, copy_tree, outcome, render, run, stackc, workspace};

/// Every stack file of the repository: the real stacks, the examples, the test fixtures.
const FORMATTED: [&str; 3] = ["stacks", "examples", "compiler/stackc-cli/tests/fixtures"];

#[test]
fn the_repository_stack_files_are_formatted() {
    let output = run(stackc().current_dir(workspace()).args(["fmt", "--check"]).args(FORMATTED));
    assert!(output.status.success(), "run `stackc fmt {}`:\n{}", FORMATTED.join(" "), render(&output, &[]));
}

/// Each stack file, its layout scrambled (indentation, blank lines, spacing between entries),
/// formats back to the committed text, and the scrambled and formatted stacks build the same
/// root digest.
#[test]
fn any_layout_formats_back_and_builds_the_same() {
    let mut files = Vec::new();
    for dir in ["stacks", "examples/stacks/04-language"] {
        for entry in fs::read_dir(workspace().join(dir)).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "kdl") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let canonical = fs::read_to_string(&file).expect("read");
        // A copy of the stack's directory, so that its includes, modules and files are beside
        // it and no other test sees the scrambled file.
        let scratch = tempfile::tempdir().expect("scratch");
        copy_tree(file.parent().expect("its directory"), scratch.path());
        let copy = scratch.path().join(file.file_name().expect("name"));
        fs::write(&copy, scramble(&canonical)).expect("write scrambled copy");
        let before = root_digest(&copy);
        let formatted = run(stackc().args(["fmt", "-q"]).arg(&copy));
        assert!(formatted.status.success(), "{}", render(&formatted, &[]));
        assert_eq!(
            fs::read_to_string(&copy).expect("read formatted"),
            canonical,
            "{} formats back to itself",
            file.display()
        );
        let again = run(stackc().args(["fmt", "--check"]).arg(&copy));
        assert!(again.status.success(), "formatting is idempotent:\n{}", render(&again, &[]));
        assert_eq!(before, root_digest(&copy), "formatting changed what {} builds", file.display());
    }
}

#[test]
fn check_lists_what_would_change_and_fmt_rewrites_it() {
    let scratch = Scratch::new();
    scratch.write(
        "a.kdl",
        "stack \"a\"\nhost \"web1\"   address=\"10.0.0.1\" {\n  groups \"web\"; labels zone=\"a\"\n}\n",
    );
    scratch.write("nested/b.kdl", "stack \"b\"\n");
    scratch.write("broken.kdl", "stack \"c\" {\n");
    insta::assert_snapshot!("fmt_check", outcome(&mut scratch.stackc(&["fmt", "--check", "a.kdl", "nested"]), &[]));
    insta::assert_snapshot!("fmt_invalid", outcome(&mut scratch.stackc(&["fmt", "broken.kdl"]), &[]));
    let output = run(&mut scratch.stackc(&["fmt", "a.kdl"]));
    assert!(output.status.success(), "{}", render(&output, &[]));
    assert_eq!(
        fs::read_to_string(scratch.path().join("a.kdl")).expect("read"),
        "stack \"a\"\nhost \"web1\" address=\"10.0.0.1\" {\n    groups \"web\"\n    labels zone=\"a\"\n}\n"
    );
}

/// A generated stack of many services in a careless layout: formatting it is idempotent and
/// keeps its digest.
#[test]
fn a_generated_stack_formats_idempotently() {
    let scratch = Scratch::new();
    let mut text = String::from("stack  \"gen\"\n\n\n// hosts\nhost \"web1\" address=\"10.0.0.1\"\n");
    for i in 0..200 {
        text.push_str(&format!(
            "service \"site{i}\" plugin=\"nginx\" on=\"web1\"{{ listen {}; root \"/srv/{i}\" // site {i}\n}}\n",
            10000 + i
        ));
    }
    scratch.write("stack.kdl", &text);
    let before = root_digest(&scratch.path().join("stack.kdl"));
    assert!(run(&mut scratch.stackc(&["fmt", "-q", "stack.kdl"])).status.success());
    let once = fs::read_to_string(scratch.path().join("stack.kdl")).expect("read");
    assert!(run(&mut scratch.stackc(&["fmt", "-q", "stack.kdl"])).status.success());
    assert_eq!(fs::read_to_string(scratch.path().join("stack.kdl")).expect("read"), once);
    assert!(
        once.contains(
            "service \"site7\" plugin=\"nginx\" on=\"web1\" {\n    listen 10007\n    root \"/srv/7\" // site 7\n}\n"
        ),
        "{once}"
    );
    assert_eq!(root_digest(&scratch.path().join("stack.kdl")), before);
}

/// The root digest `stackc check` reports for the stack at `path`.
fn root_digest(path: &std::path::Path) -> String {
    let output = run(stackc().current_dir(workspace()).arg("check").arg(path));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", render(&output, &[]));
    stdout.rsplit_once("root ").map(|(_, root)| root.trim().to_owned()).expect("a root digest")
}

/// `text` with its layout changed and its meaning kept: indentation halved, a blank line after
/// every node that opens a block, two spaces between a node's name and its first entry.
fn scramble(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let content = line.trim_start();
        let indent = (line.len() - content.len()) / 2;
        out.push_str(&" ".repeat(indent));
        let spaced = match content.split_once(' ') {
            Some((name, rest)) if !content.starts_with("//") && !rest.starts_with('{') => format!("{name}  {rest}"),
            _ => content.to_owned(),
        };
        out.push_str(&spaced);
        out.push('\n');
        if content.ends_with('{') {
            out.push('\n');
        }
    }
    out
}
