//! The plugin author's guide (`docs/plugins.md`), followed literally: every `sh` block of its
//! tutorial is run line by line, every `kdl` block that names a file is written, with the one
//! edit the guide asks for (paste the `plugin` line `stackc plugin build` printed).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Scratch, workspace};

/// A fenced block of the tutorial.
enum Step {
    Commands(Vec<String>),
    File { name: String, text: String },
}

/// The blocks between the `guide-test` markers, in order. `text` blocks are output shown to
/// the reader and are skipped.
fn tutorial(guide: &str) -> Vec<Step> {
    let begin = guide.find("<!-- guide-test: begin -->").expect("begin marker");
    let end = guide.find("<!-- guide-test: end -->").expect("end marker");
    let mut steps = Vec::new();
    let mut lines = guide[begin..end].lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        match info {
            "sh" => steps.push(Step::Commands(
                body.iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from)
                    .collect(),
            )),
            "kdl" => {
                let name = body.first().and_then(|l| l.strip_prefix("// file: ")).expect("a kdl block names its file");
                steps.push(Step::File { name: name.to_owned(), text: body.join("\n") + "\n" });
            }
            _ => {}
        }
    }
    steps
}

fn run(dir: &Path, line: &str) -> (String, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_stackc"));
    let path = std::env::join_paths(
        std::iter::once(bin.parent().expect("bin dir").to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let output = Command::new("sh")
        .current_dir(dir)
        .args(["-c", line])
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .output()
        .expect("run sh");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned());
    assert!(output.status.success(), "`{line}` failed, as the guide has it:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn the_plugin_guide_works_when_followed_literally() {
    let guide = std::fs::read_to_string(workspace().join("docs/plugins.md")).expect("docs/plugins.md");
    let steps = tutorial(&guide);
    assert!(steps.len() >= 4, "the tutorial lost its steps");
    let scratch = Scratch::new();
    let mut printed_declaration = None;
    let mut outputs = Vec::new();
    for step in steps {
        match step {
            Step::Commands(lines) => {
                for line in lines {
                    let (stdout, stderr) = run(scratch.path(), &line);
                    if line.starts_with("stackc plugin build") {
                        printed_declaration =
                            stdout.lines().rev().find(|l| l.starts_with("plugin \"")).map(String::from);
                    }
                    outputs.push((line, stdout, stderr));
                }
            }
            Step::File { name, text } => {
                // "with the `plugin` line that `stackc plugin build` printed in place of the one below"
                let declaration =
                    printed_declaration.as_deref().expect("`stackc plugin build` printed a `plugin` line");
                let text: Vec<&str> =
                    text.lines().map(|l| if l.starts_with("plugin \"") { declaration } else { l }).collect();
                scratch.write(&name, &(text.join("\n") + "\n"));
            }
        }
    }
    let output = |prefix: &str| {
        outputs.iter().find(|(line, _, _)| line.starts_with(prefix)).unwrap_or_else(|| panic!("no `{prefix}` step"))
    };
    let (_, greeting, _) = output("cat out/hello/current/hosts/web1/etc/hello/greeting.txt");
    assert_eq!(greeting, "hello, world\nhello, world\n");
    let (_, _, first) = output("stackc build stack.kdl --verbose");
    assert!(first.contains("plugin hello 0.1.0") && first.contains("compiled, saved to the compile cache"), "{first}");
    let (_, _, locked) = output("stackc build stack.kdl --locked --verbose");
    assert!(locked.contains("loaded from the compile cache"), "{locked}");
}
