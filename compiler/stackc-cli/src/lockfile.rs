//! `stackc.lock` on disk, next to the stack file (the format is [`stackc::bundle::lock`]).

use std::path::{Path, PathBuf};

use stackc::Compilation;
use stackc::bundle::lock::{self, Lock};

use crate::loader::{io_reason, normalize};

/// The lockfile of a stack and what a build makes of it.
pub struct LockUpdate {
    pub path: PathBuf,
    /// `None` when there is no lockfile yet.
    existing: Option<(String, Lock)>,
    updated: Lock,
    /// `updated` as the file's text.
    text: String,
    /// The stack's name (not its file).
    stack: String,
}

impl LockUpdate {
    /// Reads the lockfile beside `stack` and applies the compilation's plugins to it.
    pub fn new(stack: &Path, compilation: &Compilation) -> Result<LockUpdate, String> {
        let dir = normalize(stack).parent().map(Path::to_path_buf).unwrap_or_default();
        let path = dir.join(lock::FILE_NAME);
        let existing = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let lock = Lock::parse(&text).map_err(|e| format!("cannot read `{}`: {}", path.display(), e.0))?;
                Some((text, lock))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(format!("cannot read `{}`: {}", path.display(), io_reason(&error))),
        };
        let stack = compilation.stack.as_ref().map_or(String::new(), |s| s.name.value.clone());
        let base = existing.as_ref().map(|(_, lock)| lock.clone()).unwrap_or_default();
        let updated = base.updated(&stack, compilation.plugins.iter().map(|p| &p.pin), &dir.to_string_lossy());
        let text = updated.to_toml();
        Ok(LockUpdate { path, existing, updated, text, stack })
    }

    /// Whether writing would change the file.
    fn changes_file(&self) -> bool {
        self.existing.as_ref().is_none_or(|(text, _)| *text != self.text)
    }

    /// For `--locked`: what would change, as an error message with a hint; `None` if nothing.
    pub fn locked_error(&self, file: &str) -> Option<String> {
        let path = self.path.display();
        let Some((_, existing)) = &self.existing else {
            return Some(format!(
                "error: `{path}` does not exist, and `--locked` forbids creating it\n\nhint: run `stackc build {file}` once without `--locked` and commit `{path}`"
            ));
        };
        if !self.changes_file() {
            return None;
        }
        let name = &self.stack;
        let mut lines = existing.changes(&self.updated, name);
        if lines.is_empty() {
            lines.push("the file is not in the form `stackc build` writes".to_owned());
        }
        let list: String = lines.iter().map(|l| format!("  {l}\n")).collect();
        Some(format!(
            "error: the plugins of stack `{name}` no longer match `{path}`:\n{list}\nhint: if the change is intended, run `stackc build {file}` without `--locked`, review the lockfile's diff and commit it"
        ))
    }

    /// Writes the lockfile if it changed; returns whether it did.
    pub fn write(&self) -> Result<bool, String> {
        if !self.changes_file() {
            return Ok(false);
        }
        std::fs::write(&self.path, &self.text)
            .map(|()| true)
            .map_err(|e| format!("cannot write `{}`: {}", self.path.display(), io_reason(&e)))
    }
}
