//! A file without a `stack` node is usually not a broken stack but a fragment meant to be
//! included (hosts, secrets, a team's services). Checking it alone, the resolver can only
//! say that the stack node is missing; this module, which may read the filesystem, says
//! what the file is and, when it finds one nearby, which stack file includes it.

use std::path::{Path, PathBuf};

use stackc::diag::{Diagnostic, Sources};

use crate::loader::{name_of, normalize};

const NO_STACK: &str = "stackc::resolve::no-stack";

/// `diagnostics` with the "no stack" error of a file that has declarations reworded.
pub fn explain(diagnostics: Vec<Diagnostic>, sources: &Sources) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| {
            let Some(span) = d.span.filter(|_| d.code == NO_STACK) else { return d };
            let file = sources.get(span.file);
            if !has_declarations(&file.text) {
                return d;
            }
            let help = match includers(Path::new(&file.name)).first() {
                Some(stack) => format!(
                    "`{}` is a fragment that `{}` includes: check that one (`stackc check {}`)",
                    file.name,
                    stack.display(),
                    stack.display()
                ),
                None => format!(
                    "a file without `stack` is a fragment, read through `include \"{}\"` in a stack file; check \
                     the stack file",
                    file.name
                ),
            };
            Diagnostic { label: "a fragment: declarations, no `stack`".to_owned(), help: Some(help), ..d }
        })
        .collect()
}

/// True when `text` holds anything but blank lines and comments.
fn has_declarations(text: &str) -> bool {
    text.lines().map(str::trim).any(|l| !l.is_empty() && !l.starts_with("//"))
}

/// Stack files in the fragment's directory and the two above it whose `include` names it,
/// sorted by path.
fn includers(fragment: &Path) -> Vec<PathBuf> {
    let Ok(target) = std::fs::canonicalize(fragment) else { return Vec::new() };
    let mut dir = fragment.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut found = Vec::new();
    for _ in 0..3 {
        let listed = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
        let Ok(entries) = std::fs::read_dir(listed) else { break };
        for entry in entries.filter_map(Result::ok) {
            let candidate = normalize(&dir.join(entry.file_name()));
            if candidate.extension().is_some_and(|e| e == "kdl") && includes(&candidate, &target) {
                found.push(candidate);
            }
        }
        dir = normalize(&dir.join(".."));
    }
    found.sort();
    found
}

/// True when the stack file `candidate` has a top-level `include` of `target`.
fn includes(candidate: &Path, target: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(candidate) else { return false };
    let from = candidate.to_string_lossy();
    text.lines()
        .filter_map(|l| l.strip_prefix("include ")?.trim_start().strip_prefix('"')?.split('"').next())
        .any(|path| std::fs::canonicalize(name_of(path, Some(&from))).is_ok_and(|p| p == target))
}
