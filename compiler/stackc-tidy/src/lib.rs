//! Tidy checks, in the manner of rust-analyzer's `tidy.rs`: tests over the repository's own
//! files that fail when one of its rules breaks. The checks live in `tests/`; this library
//! walks the repository, reads its crates' manifests and finds the rules in
//! `compiler/ARCHITECTURE.md` that failures name.

mod architecture;
mod crates;

use std::fs;
use std::path::{Path, PathBuf};

pub use architecture::{ARCHITECTURE, Rule, rule};
pub use crates::{Crate, Dependency, crates_in};

/// Directories that hold no sources of the project: build output, installed tools, vendored
/// upstream material (checked by its own README, not by these rules) and version control.
const NOT_SOURCES: [&str; 7] = [".git", "target", ".venv", ".tools", "out", "third_party", "node_modules"];

/// The repository root.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// A text file of the project, with its path relative to the repository root.
pub struct SourceFile {
    /// `/`-separated, relative to the repository root.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// How many directories below the repository root the file sits.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count()
    }
}

/// Every text file of the project, sorted by path. Binary files are skipped.
pub fn source_files() -> Vec<SourceFile> {
    let root = repository();
    let mut files = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.expect("directory entry");
            let path = entry.path();
            let name = entry.file_name();
            let file_type = entry.file_type().expect("file type");
            if file_type.is_dir() {
                if !NOT_SOURCES.iter().any(|skip| name == *skip) {
                    pending.push(path);
                }
            } else if file_type.is_file()
                && let Ok(text) = fs::read_to_string(&path)
            {
                let relative = path.strip_prefix(&root).expect("under the root");
                let path = relative.to_str().expect("UTF-8 path").replace('\\', "/");
                files.push(SourceFile { path, text });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}
