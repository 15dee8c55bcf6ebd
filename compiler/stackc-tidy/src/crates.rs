//! The workspace's crates and what their `Cargo.toml` files declare.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use toml::{Table, Value};

use crate::{SourceFile, repository};

/// A crate of the workspace.
pub struct Crate {
    /// The package name, e.g. `stackc-model`.
    pub name: String,
    /// Its directory, relative to the repository root: `compiler/stackc-model`.
    pub dir: String,
    manifest: Table,
}

/// A dependency as declared, with the features enabled where it is declared (the crate's
/// own entry and, for `workspace = true`, the workspace's).
pub struct Dependency {
    pub name: String,
    pub features: BTreeSet<String>,
}

/// The crates in the directories under `parent` (`compiler` or `plugins`), sorted by name.
pub fn crates_in(parent: &str) -> Vec<Crate> {
    let mut crates: Vec<Crate> = fs::read_dir(repository().join(parent))
        .unwrap_or_else(|e| panic!("{parent}: {e}"))
        .filter_map(|entry| {
            let dir = format!("{parent}/{}", entry.ok()?.file_name().to_str()?);
            let text = fs::read_to_string(repository().join(&dir).join("Cargo.toml")).ok()?;
            let manifest: Table = text.parse().unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
            let name = manifest.get("package")?.get("name")?.as_str()?.to_owned();
            Some(Crate { name, dir, manifest })
        })
        .collect();
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    crates
}

impl Crate {
    /// The dependencies of one table: `dependencies`, `dev-dependencies` or
    /// `build-dependencies`.
    pub fn dependencies(&self, table: &str) -> Vec<Dependency> {
        let Some(entries) = self.manifest.get(table).and_then(Value::as_table) else { return Vec::new() };
        entries.iter().map(|(key, entry)| dependency(key, entry)).collect()
    }

    /// The names of the crates it links, directly or through the workspace crates among
    /// `workspace` it depends on (their `dependencies`, not dev or build ones).
    pub fn linked(&self, workspace: &[Crate]) -> BTreeSet<String> {
        let by_name: BTreeMap<&str, &Crate> = workspace.iter().map(|c| (c.name.as_str(), c)).collect();
        let mut linked = BTreeSet::new();
        let mut pending = vec![self];
        while let Some(krate) = pending.pop() {
            for dependency in krate.dependencies("dependencies") {
                if let Some(local) = by_name.get(dependency.name.as_str()) {
                    pending.push(local);
                }
                linked.insert(dependency.name);
            }
        }
        linked
    }

    /// Its `.rs` files under `src/` (not its tests, build script or other crates it
    /// carries, such as test guests), out of `files`. Unit-test modules kept in files of their
    /// own (`tests.rs`, declared `#[cfg(test)] mod tests;`) are tests too, and left out.
    pub fn sources<'a>(&self, files: &'a [SourceFile]) -> impl Iterator<Item = &'a SourceFile> {
        let prefix = format!("{}/src/", self.dir);
        files
            .iter()
            .filter(move |f| f.path.starts_with(&prefix) && f.path.ends_with(".rs") && !f.path.ends_with("/tests.rs"))
    }
}

fn dependency(key: &str, entry: &Value) -> Dependency {
    let name = entry.get("package").and_then(Value::as_str).unwrap_or(key).to_owned();
    let mut features = features_of(entry);
    if entry.get("workspace").and_then(Value::as_bool) == Some(true) {
        features.extend(workspace_dependency(key).as_ref().map(features_of).unwrap_or_default());
    }
    Dependency { name, features }
}

fn features_of(entry: &Value) -> BTreeSet<String> {
    let list = entry.get("features").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    list.iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// The entry of `[workspace.dependencies]` named `key`.
fn workspace_dependency(key: &str) -> Option<Value> {
    let text = fs::read_to_string(repository().join("Cargo.toml")).expect("the workspace Cargo.toml");
    let root: Table = text.parse().expect("the workspace Cargo.toml parses");
    root.get("workspace")?.get("dependencies")?.get(key).cloned()
}
