//! Which stack files to check for a document: diagnostics come from checking a whole stack,
//! and a fragment (included hosts, a module) is only checked as part of one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::loader::name_of;
use crate::lsp::analysis::Analysis;
use crate::lsp::documents::{Documents, key};
use crate::lsp::outline::{self, Node};

/// The root stack files whose check covers `path` (a key): itself when it declares a `stack`;
/// else the stacks checked already that read it; else the stack files in its directory and
/// the two above that include it or instantiate it as a module; else itself, which the check
/// then reports as a fragment.
pub fn roots_for(path: &Path, documents: &Documents, analyses: &BTreeMap<PathBuf, Analysis>) -> Vec<PathBuf> {
    let text = documents.text(path).unwrap_or_default();
    if declares_stack(&outline::read(&text)) {
        return vec![path.to_path_buf()];
    }
    let mut roots: Vec<PathBuf> =
        analyses.iter().filter(|(_, a)| a.files.contains(path)).map(|(root, _)| root.clone()).collect();
    if roots.is_empty() {
        roots = nearby_stacks_using(path, documents);
    }
    if roots.is_empty() {
        roots.push(path.to_path_buf());
    }
    roots
}

fn declares_stack(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| n.is("stack"))
}

/// Stack files in the directory of `fragment` and the two above it whose `include` or
/// `module … path=` names it, sorted.
fn nearby_stacks_using(fragment: &Path, documents: &Documents) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dir = fragment.parent();
    for _ in 0..3 {
        let Some(current) = dir else { break };
        let Ok(entries) = std::fs::read_dir(current) else { break };
        for entry in entries.filter_map(Result::ok) {
            let candidate = key(&entry.path());
            if candidate.extension().is_none_or(|e| e != "kdl") || candidate == fragment {
                continue;
            }
            let Some(text) = documents.text(&candidate) else { continue };
            let nodes = outline::read(&text);
            let from = candidate.to_string_lossy();
            if declares_stack(&nodes)
                && file_references(&nodes).iter().any(|p| key(&name_of(p, Some(&from))) == fragment)
            {
                found.push(candidate);
            }
        }
        dir = current.parent();
    }
    found.sort();
    found
}

/// The paths of every `include` and `module … path=`, at any depth (they may stand inside
/// `for` and `if`).
pub fn file_references(nodes: &[Node]) -> Vec<&str> {
    let mut paths = Vec::new();
    for node in nodes {
        let path = if node.is("include") {
            node.argument()
        } else if node.is("module") {
            node.property("path")
        } else {
            None
        };
        paths.extend(path.map(|e| e.value.text.as_str()));
        if let Some(block) = &node.children {
            paths.extend(file_references(&block.nodes));
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_is_checked_through_the_stack_that_reads_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = key(dir.path());
        let write = |name: &str, text: &str| {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            path
        };
        let stack = write(
            "stack.kdl",
            "stack \"s\"\ninclude \"parts/hosts.kdl\"\nif #true { module \"m\" path=\"parts/mod.kdl\" }\n",
        );
        let hosts = write("parts/hosts.kdl", "host \"a\" address=\"10.0.0.1\"\n");
        let module = write("parts/mod.kdl", "param \"x\" type=\"string\"\n");
        let alone = write("parts/alone.kdl", "host \"b\" address=\"10.0.0.2\"\n");
        let documents = Documents::new(root.clone());
        let analyses = BTreeMap::new();
        assert_eq!(roots_for(&stack, &documents, &analyses), vec![stack.clone()]);
        assert_eq!(roots_for(&hosts, &documents, &analyses), vec![stack.clone()]);
        assert_eq!(roots_for(&module, &documents, &analyses), vec![stack.clone()]);
        assert_eq!(roots_for(&alone, &documents, &analyses), vec![alone.clone()]);
    }
}
