//! Every `kdl` block of README.md and docs/*.md, read as the reader would use it: a stack
//! checks cleanly, a fragment of declarations checks inside a stack, and an excerpt (a
//! config node out of its service, or a block with `…` standing for what the reader fills
//! in) is at least valid KDL. A block whose first line is `// file: NAME` is a file the text
//! asks the reader to write; it is written beside the others before anything is checked. A
//! block that is an excerpt of the language tour (`examples/stacks/04-language`, built by
//! `examples.rs`) is checked there, in its context.
//! `docs/plugins.md`'s tutorial is also followed step by step by `guide.rs`.

use crate::common::{Scratch, Tour, render, workspace};

/// A fenced `kdl` block: where it is, and its text.
struct Block {
    at: String,
    text: String,
}

/// How a block is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Starts with a `stack` node: `stackc check` must pass.
    Stack,
    /// Only top-level declarations: `stackc check` must pass with a `stack` node added.
    Declarations,
    /// Config out of context, or with placeholders: must be valid KDL.
    Excerpt,
}

/// The top-level nodes of a stack file.
const DECLARATIONS: [&str; 8] = ["stack", "include", "param", "secret", "host", "compose", "service", "plugin"];

fn blocks(document: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if line.trim_start() != "```kdl" {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body: Vec<&str> = lines.by_ref().map(|(_, l)| l).take_while(|l| l.trim_start() != "```").collect();
        let body: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
        out.push(Block { at: format!("{document}:{}", number + 1), text: body.join("\n") + "\n" });
    }
    out
}

/// Names of the top-level nodes: lines that start a node at column 0.
fn top_level(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '\t', '}', '/']))
        .map(|l| l.split([' ', '{']).next().unwrap_or(""))
        .collect()
}

fn form(block: &Block) -> Form {
    let nodes = top_level(&block.text);
    if block.text.contains('…') || nodes.iter().any(|n| !DECLARATIONS.contains(n)) {
        Form::Excerpt
    } else if nodes.first() == Some(&"stack") {
        Form::Stack
    } else {
        Form::Declarations
    }
}

fn file_name(block: &Block) -> Option<&str> {
    block.text.lines().next().and_then(|l| l.strip_prefix("// file: "))
}

/// Checks every block of `document`; returns one message per block that fails.
fn check_document(document: &str) -> Vec<String> {
    let text = std::fs::read_to_string(workspace().join(document)).expect(document);
    let blocks = blocks(document, &text);
    assert!(!blocks.is_empty(), "{document} has no kdl block");
    check_blocks(&blocks)
}

fn check_blocks(blocks: &[Block]) -> Vec<String> {
    let scratch = Scratch::new();
    for block in blocks {
        if let Some(name) = file_name(block) {
            scratch.write(name, &block.text);
        }
    }
    let tour = Tour::read();
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if tour.contains(&block.text) {
            continue;
        }
        let form = form(block);
        // A fragment is checked from a file of its own, so that a named one stays as the
        // text has it for the stacks that include it.
        let name = match (form, file_name(block)) {
            (Form::Stack, Some(name)) => name.to_owned(),
            _ => format!("block-{i}.kdl"),
        };
        let text = match form {
            Form::Declarations => format!("stack \"docs\"\n{}", block.text),
            Form::Stack | Form::Excerpt => block.text.clone(),
        };
        scratch.write(&name, &text);
        let output = scratch.stackc(&["check", &name]).output().expect("run stackc");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let ok = match form {
            Form::Stack | Form::Declarations => output.status.success(),
            Form::Excerpt => !stderr.contains("stackc::syntax"),
        };
        if !ok {
            failures.push(format!("{} ({form:?}):\n{}\n{}", block.at, block.text, render(&output, &[])));
        }
    }
    failures
}

#[test]
fn the_readme_examples_check() {
    let failures = check_document("README.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_language_reference_examples_check() {
    let failures = check_document("docs/language.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_plugin_guide_examples_are_valid_kdl() {
    let failures = check_document("docs/plugins.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_load_balancing_examples_check() {
    let failures = check_document("docs/load-balancing.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_machines_examples_check() {
    let failures = check_document("docs/machines.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_kubernetes_examples_check() {
    let failures = check_document("docs/kubernetes.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_editor_guide_examples_check() {
    let failures = check_document("docs/editors.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checks above can fail: a broken block of each form is caught, a sound one passes.
#[test]
fn a_broken_block_of_each_form_is_caught() {
    let document = "\
Some text.

```kdl
stack \"a\"
host \"h\" address=\"10.0.0.1\"
service \"s\" plugin=\"nginx\" on=\"h\" {
    tls { certificate (secret)\"cert\"; key (secret)\"key\" }
}
```

```kdl
param \"p\" type=\"integer\" default=1
```

```kdl
upstream \"app\" {
    servers (ref)\"api.http
}
```

- in a list:
  ```kdl
  // file: inc.kdl
  host \"g\" address=\"10.0.0.2\"
  ```

```kdl
stack \"b\"
include \"inc.kdl\"
```
";
    let blocks = blocks("test.md", document);
    let forms: Vec<Form> = blocks.iter().map(form).collect();
    assert_eq!(forms, [Form::Stack, Form::Declarations, Form::Excerpt, Form::Declarations, Form::Stack]);
    let failures = check_blocks(&blocks);
    let failed: Vec<&str> = failures.iter().map(|f| f.split(' ').next().expect("where")).collect();
    assert_eq!(failed, ["test.md:3", "test.md:11", "test.md:15"], "{}", failures.join("\n"));
}
