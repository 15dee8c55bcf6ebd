//! Comparing bundles: which services and targets changed, and which of their files.
//!
//! Two inputs can be compared: whole manifests ([`diff`]), which also lists the files each
//! service or target touched, and digest records ([`Record`], the committed
//! `<stack>.digests.toml` beside a stack), which carry only the digests per service, per
//! target and the root. Both give a [`BundleDiff`]; rendering it is the CLI's job.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ParseError;
use crate::manifest::{FORMAT, FileEntry, Manifest};

/// What happened to a service, a target or a file between two bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Unchanged,
    Changed,
    Added,
    Removed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Unchanged => "unchanged",
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }

    fn of<T: PartialEq>(old: Option<&T>, new: Option<&T>) -> Change {
        match (old, new) {
            (Some(a), Some(b)) if a == b => Change::Unchanged,
            (Some(_), Some(_)) => Change::Changed,
            (None, _) => Change::Added,
            (Some(_), None) => Change::Removed,
        }
    }
}

/// Whether an entry is a service or a deploy target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Service,
    Target,
}

/// One file that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_digest: Option<String>,
    /// Set when only the mode changed or the mode changed too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_mode: Option<String>,
}

/// One service or target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryDiff {
    pub kind: Kind,
    pub name: String,
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_digest: Option<String>,
    /// Paths of the files of this entry that differ (empty when comparing records).
    pub files: Vec<String>,
}

/// The difference between two bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleDiff {
    pub old_stack: String,
    pub new_stack: String,
    pub old_root: String,
    pub new_root: String,
    /// True when the roots are equal: the bundles are identical.
    pub identical: bool,
    /// Services by name, then targets by name.
    pub entries: Vec<EntryDiff>,
    /// Every file that differs, sorted by path (empty when comparing records).
    pub files: Vec<FileChange>,
}

impl BundleDiff {
    /// Entries that are not unchanged.
    pub fn changed_entries(&self) -> impl Iterator<Item = &EntryDiff> {
        self.entries.iter().filter(|e| e.change != Change::Unchanged)
    }
}

/// The digests of a bundle, as committed beside its stack (`stacks/<stack>.digests.toml`),
/// so that a change of outputs shows up in review and `stackc build --check` can refuse an
/// out-of-date record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub format: u32,
    pub stack: String,
    pub root: String,
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    #[serde(default)]
    pub targets: BTreeMap<String, String>,
}

impl Record {
    pub fn of(manifest: &Manifest) -> Record {
        Record {
            format: FORMAT,
            stack: manifest.stack.clone(),
            root: manifest.root.clone(),
            services: manifest.services.iter().map(|(k, v)| (k.clone(), v.digest.clone())).collect(),
            targets: manifest.targets.iter().map(|(k, v)| (k.clone(), v.digest.clone())).collect(),
        }
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a record is always representable in TOML");
        format!(
            "# Digests of `stackc build` for this stack, checked by `stackc build --check`.\n\
             # Regenerate with `stackc build --record` when a change of outputs is intended.\n{body}"
        )
    }

    pub fn parse(text: &str) -> Result<Record, ParseError> {
        let record: Record = toml::from_str(text).map_err(|e| ParseError(e.message().to_owned()))?;
        if record.format != FORMAT {
            return Err(ParseError(format!(
                "record format {} is not supported (this stackc reads format {FORMAT})",
                record.format
            )));
        }
        Ok(record)
    }

    /// Compares two records: digests only, no files.
    pub fn diff(&self, new: &Record) -> BundleDiff {
        let mut entries = entry_diffs(Kind::Service, &self.services, &new.services);
        entries.extend(entry_diffs(Kind::Target, &self.targets, &new.targets));
        BundleDiff {
            old_stack: self.stack.clone(),
            new_stack: new.stack.clone(),
            old_root: self.root.clone(),
            new_root: new.root.clone(),
            identical: self.root == new.root,
            entries,
            files: Vec::new(),
        }
    }
}

fn entry_diffs(kind: Kind, old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<EntryDiff> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let (o, n) = (old.get(name), new.get(name));
            EntryDiff {
                kind,
                name: name.clone(),
                change: Change::of(o, n),
                old_digest: o.cloned(),
                new_digest: n.cloned(),
                files: Vec::new(),
            }
        })
        .collect()
}

/// Compares two manifests: digests per service and target, and the files that differ.
pub fn diff(old: &Manifest, new: &Manifest) -> BundleDiff {
    let mut result = Record::of(old).diff(&Record::of(new));

    let by_path =
        |m: &Manifest| -> BTreeMap<String, FileEntry> { m.files.iter().map(|f| (f.path.clone(), f.clone())).collect() };
    let (old_files, new_files) = (by_path(old), by_path(new));
    let paths: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
    for path in paths {
        let (o, n) = (old_files.get(path), new_files.get(path));
        let same = |f: fn(&FileEntry) -> &String| o.map(f) == n.map(f);
        if same(|e| &e.digest) && same(|e| &e.mode) {
            continue;
        }
        let change = Change::of(o.map(|e| (&e.digest, &e.mode)).as_ref(), n.map(|e| (&e.digest, &e.mode)).as_ref());
        let mode_changed = o.is_some() && n.is_some() && !same(|e| &e.mode);
        result.files.push(FileChange {
            path: path.clone(),
            change,
            old_digest: o.map(|e| e.digest.clone()),
            new_digest: n.map(|e| e.digest.clone()),
            old_mode: o.filter(|_| mode_changed).map(|e| e.mode.clone()),
            new_mode: n.filter(|_| mode_changed).map(|e| e.mode.clone()),
        });
        for entry in &mut result.entries {
            let owns = |e: Option<&FileEntry>| {
                e.is_some_and(|e| match entry.kind {
                    Kind::Service => e.services.contains(&entry.name),
                    Kind::Target => e.target.as_deref() == Some(entry.name.as_str()),
                })
            };
            if owns(o) || owns(n) {
                entry.files.push(path.clone());
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bundle, File, Producer, ServiceInfo};

    fn bundle(names: &[&str], files: &[(&str, &str, &str)]) -> Bundle {
        let services = names.iter().map(|n| ServiceInfo { name: (*n).into(), plugin: "p@1".into() }).collect();
        let files = files
            .iter()
            .map(|(path, contents, service)| File {
                path: (*path).into(),
                mode: 0o644,
                contents: contents.as_bytes().to_vec(),
                producer: Producer::Services(vec![(*service).into()]),
            })
            .collect();
        Bundle::new("s", services, files)
    }

    #[test]
    fn reports_changed_added_removed_and_unchanged() {
        let old = bundle(&["a", "b", "c"], &[("a/x", "1", "a"), ("b/y", "2", "b"), ("c/z", "3", "c")]);
        let new = bundle(&["a", "b", "d"], &[("a/x", "1", "a"), ("b/y", "9", "b"), ("d/w", "4", "d")]);
        let d = diff(&old.manifest, &new.manifest);
        let summary: Vec<_> = d.entries.iter().map(|e| (e.name.as_str(), e.change, e.files.clone())).collect();
        assert_eq!(
            summary,
            vec![
                ("a", Change::Unchanged, vec![]),
                ("b", Change::Changed, vec!["b/y".to_owned()]),
                ("c", Change::Removed, vec!["c/z".to_owned()]),
                ("d", Change::Added, vec!["d/w".to_owned()]),
            ]
        );
        assert!(!d.identical);
        assert_eq!(d.files.len(), 3);
        assert!(diff(&old.manifest, &old.manifest).identical);
    }

    #[test]
    fn record_round_trip() {
        let b = bundle(&["a"], &[("a/x", "1", "a")]);
        let record = Record::of(&b.manifest);
        assert_eq!(Record::parse(&record.to_toml()), Ok(record.clone()));
        assert!(record.diff(&record).identical);
    }
}
