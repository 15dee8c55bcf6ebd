//! `stackc explain` and the explanations it prints (`docs/diagnostics/`), kept true: every
//! code the sources emit has an explanation and every explanation names an emitted code, the
//! directory's README indexes each, and every example runs through `stackc check`: an
//! erroneous stack reports its code (and the codes its `Also reported:` line names), a fixed
//! one checks clean.
//!
//! An example is a `kdl` block after a line `Erroneous example:` or `Fixed:`, written as
//! `stack.kdl` in a scratch directory; a first line `// stackc check stack.kdl ARGS…` gives the
//! command line. A block whose first line is `// file: NAME` (`<!-- file: NAME -->` in an
//! `html` block) is a file beside it, for the examples after it. The plugin examples load the
//! tutorial plugin's component as `hello.wasm` and pin its digest, as
//! `examples/stacks/03-hello-plugin` does: when the SDK changes it, both pins change.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::common::{Scratch, build_hello_plugin, outcome, render, stackc, workspace};

/// Codes whose explanation has no example, because no stack file can show the problem: the
/// file would be megabytes long or binary, it takes a component that is not a plugin or a
/// damaged stackc, or only a plugin other than the built-in ones can cause it.
const WITHOUT_EXAMPLE: [&str; 13] = [
    "stackc::emit::account",
    "stackc::emit::gate",
    "stackc::emit::host",
    "stackc::emit::kube",
    "stackc::emit::process",
    "stackc::file::binary",
    "stackc::limits::depth",
    "stackc::limits::file-size",
    "stackc::limits::string",
    "stackc::plugin::builtin-unloadable",
    "stackc::plugin::load",
    "stackc::plugin::output",
    "stackc::plugin::trap",
];

/// One file of `docs/diagnostics/`.
struct Explanation {
    /// The code its path names: `resolve/unknown-plugin.md` → `stackc::resolve::unknown-plugin`.
    code: String,
    /// Relative to `docs/diagnostics/`.
    path: String,
    text: String,
}

fn docs() -> PathBuf {
    workspace().join("docs/diagnostics")
}

/// Every explanation, sorted by path.
fn explanations() -> Vec<Explanation> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Explanation>) {
        for entry in fs::read_dir(dir).expect("docs/diagnostics") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
                continue;
            }
            let relative = path.strip_prefix(root).expect("inside").to_string_lossy().replace('\\', "/");
            if relative == "README.md" {
                continue;
            }
            let stem = relative.strip_suffix(".md").unwrap_or_else(|| panic!("{relative} is not Markdown"));
            let code = format!("stackc::{}", stem.replace('/', "::"));
            out.push(Explanation { code, text: fs::read_to_string(&path).expect("readable"), path: relative });
        }
    }
    let mut out = Vec::new();
    walk(&docs(), &docs(), &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The codes in string literals of the compiler's and the plugins' sources, tests left out
/// (test files, and a file's `#[cfg(test)]` module, which comes last): every diagnostic's code
/// is a `&'static str`, written as a literal where it is made (or in a constant), so this
/// finds them all.
fn emitted_codes() -> BTreeSet<String> {
    fn walk(dir: &Path, literal: &regex::Regex, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).expect("source directory") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            if path.is_dir() {
                if !["target", "tests"].contains(&name.as_str()) {
                    walk(&path, literal, out);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" {
                let text = fs::read_to_string(&path).expect("readable source");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                out.extend(literal.captures_iter(code).map(|c| c[1].to_owned()));
            }
        }
    }
    let literal = regex::Regex::new(r#""(stackc(?:::[a-z0-9-]+)+)""#).expect("pattern");
    let mut codes = BTreeSet::new();
    for dir in ["compiler", "plugins"] {
        walk(&workspace().join(dir), &literal, &mut codes);
    }
    codes
}

#[test]
fn every_emitted_code_is_explained_and_every_explanation_is_of_an_emitted_code() {
    let emitted = emitted_codes();
    // The walk reaches every phase that reports.
    for code in ["stackc::syntax", "stackc::resolve::unknown-plugin", "stackc::plugin::trap", "stackc::emit::kube"] {
        assert!(emitted.contains(code), "the source scan missed `{code}`: is the walk broken?");
    }
    let explained: BTreeSet<String> = explanations().into_iter().map(|e| e.code).collect();
    let unexplained: Vec<&String> = emitted.difference(&explained).collect();
    let stale: Vec<&String> = explained.difference(&emitted).collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "codes without an explanation in docs/diagnostics/ (add `<phase>/<name>.md`): {unexplained:?}\n\
         explanations of codes nothing emits: {stale:?}"
    );
}

#[test]
fn every_explanation_is_titled_with_its_code_and_indexed_once() {
    let index = fs::read_to_string(docs().join("README.md")).expect("docs/diagnostics/README.md");
    let mut failures = Vec::new();
    for e in explanations() {
        if !e.text.starts_with(&format!("# {}\n\n", e.code)) {
            failures.push(format!("{}: does not start with `# {}` and a blank line", e.path, e.code));
        }
        let entry = format!("- [`{}`]({}): ", e.code, e.path);
        let listed = index.lines().filter(|l| l.starts_with(&entry)).count();
        if listed != 1 {
            failures.push(format!("README.md lists `{}` {listed} times, as `{entry}…`", e.code));
        }
    }
    let entries = index.lines().filter(|l| l.starts_with("- [`stackc::")).count();
    if entries != explanations().len() {
        failures.push(format!("README.md has {entries} entries for {} explanations", explanations().len()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A fenced block of an explanation.
struct Block {
    /// The line its fence opens on, from 1.
    line: usize,
    /// The last non-blank line before it: `Erroneous example:`, `Fixed:` or prose.
    after: String,
    text: String,
    /// Text up to the next block: where an `Also reported:` line is.
    prose: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Block> = Vec::new();
    let mut after = String::new();
    let mut prose = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(language) = line.strip_prefix("```") {
            let body: Vec<&str> = lines[i + 1..].iter().copied().take_while(|l| *l != "```").collect();
            if let Some(previous) = out.last_mut() {
                previous.prose = std::mem::take(&mut prose);
            }
            if ["kdl", "html"].contains(&language) {
                out.push(Block {
                    line: i + 1,
                    after: after.clone(),
                    text: body.join("\n") + "\n",
                    prose: String::new(),
                });
            }
            i += body.len() + 2;
            after.clear();
            continue;
        }
        if !line.trim().is_empty() {
            after = line.trim().to_owned();
        }
        prose.push_str(line);
        prose.push('\n');
        i += 1;
    }
    if let Some(previous) = out.last_mut() {
        previous.prose = prose;
    }
    out
}

/// The file a block is, if it is one: `// file: NAME` or `<!-- file: NAME -->` first.
fn file_name(block: &Block) -> Option<&str> {
    let first = block.text.lines().next()?;
    first.strip_prefix("// file: ").or_else(|| first.strip_prefix("<!-- file: ")?.strip_suffix(" -->"))
}

/// The codes an `Also reported:` line after an erroneous example names.
fn also_reported(block: &Block) -> Vec<String> {
    let Some(line) = block.prose.lines().find(|l| l.starts_with("Also reported:")) else { return Vec::new() };
    line.split('`').skip(1).step_by(2).filter(|s| s.starts_with("stackc::")).map(str::to_owned).collect()
}

/// The distinct codes of the diagnostics a run printed: each starts with its code on a line
/// of its own.
fn reported_codes(stderr: &str) -> BTreeSet<String> {
    stderr.lines().filter(|l| l.starts_with("stackc::") && !l.contains(' ')).map(str::to_owned).collect()
}

/// The component the plugin examples load as `hello.wasm`.
fn hello_component() -> PathBuf {
    build_hello_plugin();
    workspace().join("examples/plugins/hello-plugin/target/stackc/hello.wasm")
}

/// Runs every example of an explanation; returns one message per example that fails.
fn check_examples(e: &Explanation) -> Vec<String> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut failures = Vec::new();
    for block in blocks(&e.text) {
        if let Some(name) = file_name(&block) {
            files.insert(name.to_owned(), block.text.clone());
            continue;
        }
        let erroneous = match block.after.as_str() {
            "Erroneous example:" => true,
            "Fixed:" => false,
            _ => {
                failures.push(format!("{}:{}: a block that is neither an example nor a file", e.path, block.line));
                continue;
            }
        };
        let scratch = Scratch::new();
        for (name, text) in &files {
            scratch.write(name, text);
        }
        if e.text.contains("\"hello.wasm\"") {
            fs::copy(hello_component(), scratch.path().join("hello.wasm")).expect("copy the component");
        }
        scratch.write("stack.kdl", &block.text);
        let first = block.text.lines().next().unwrap_or_default();
        let args: Vec<&str> =
            first.strip_prefix("// stackc check stack.kdl").map_or(Vec::new(), |a| a.split_whitespace().collect());
        let output = scratch.stackc(&[&["check", "stack.kdl"], &args[..]].concat()).output().expect("run stackc");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let ok = if erroneous {
            let expected: BTreeSet<String> = std::iter::once(e.code.clone()).chain(also_reported(&block)).collect();
            reported_codes(&stderr) == expected
        } else {
            output.status.success() && stderr.trim().is_empty()
        };
        if !ok {
            let what =
                if erroneous { format!("should report `{}` only", e.code) } else { "should check clean".to_owned() };
            failures.push(format!("{}:{}: {what}:\n{}\n{}", e.path, block.line, block.text, render(&output, &[])));
        }
    }
    failures
}

#[test]
fn every_example_reports_its_code_and_every_fix_checks_clean() {
    let explanations = explanations();
    let failures: Vec<String> = explanations.par_iter().flat_map(check_examples).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_explanation_has_one_example_and_its_fix_unless_no_stack_can_show_it() {
    let mut failures = Vec::new();
    for e in explanations() {
        let markers: Vec<String> =
            blocks(&e.text).into_iter().filter(|b| file_name(b).is_none()).map(|b| b.after).collect();
        let expected: &[&str] =
            if WITHOUT_EXAMPLE.contains(&e.code.as_str()) { &[] } else { &["Erroneous example:", "Fixed:"] };
        if markers != expected {
            failures.push(format!("{}: examples {markers:?}, expected {expected:?}", e.path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The example check can fail: an example that reports another code, and a fix that does not
/// check, are both caught.
#[test]
fn a_broken_example_is_caught() {
    let text = "# stackc::resolve::unknown-plugin\n\nA service names no plugin that exists.\n\n\
                Erroneous example:\n\n```kdl\nstack \"a\"\nhost \"h\" address=\"10.0.0.1\"\n\
                service \"s\" plugin=\"nginx\" on=\"hh\"\n```\n\n\
                Fixed:\n\n```kdl\nstack \"a\"\nhost \"h\" address=\"10.0.0.1\"\n\
                service \"s\" plugin=\"ngnix\" on=\"h\"\n```\n";
    let explanation = Explanation {
        code: "stackc::resolve::unknown-plugin".to_owned(),
        path: "test.md".to_owned(),
        text: text.to_owned(),
    };
    let failures = check_examples(&explanation);
    let at: Vec<&str> = failures.iter().map(|f| f.split(' ').next().unwrap_or_default()).collect();
    assert_eq!(at, ["test.md:7:", "test.md:15:"], "{}", failures.join("\n"));
}

#[test]
fn explain_prints_the_explanation_of_a_code() {
    let text = outcome(stackc().args(["explain", "stackc::resolve::unknown-plugin"]), &[]);
    assert!(text.starts_with("exit: 0\n"), "{text}");
    insta::assert_snapshot!("explain_full_code", text);
}

#[test]
fn explain_takes_a_code_without_its_prefix() {
    let text = outcome(stackc().args(["explain", "resolve::unknown-plugin"]), &[]);
    assert!(text.starts_with("exit: 0\n"), "{text}");
    insta::assert_snapshot!("explain_short_code", text);
}

#[test]
fn explain_of_an_unknown_code_suggests_one_and_exits_2() {
    let text = outcome(stackc().args(["explain", "resolve::unknown-plugn"]), &[]);
    assert!(text.starts_with("exit: 2\n"), "{text}");
    insta::assert_snapshot!("explain_unknown_code", text);
}
