//! `stackc diff`: what changed between two bundles, per service, with unified diffs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stackc::Plugins;
use stackc::bundle::{BundleDiff, Change, EntryDiff, FileChange, Kind, Manifest, Record, ServiceEntry, TargetEntry};

use super::{ExitStatus, compile_with, load_plugins};
use crate::args::{DiffArgs, DiffFormat, StackArgs};

/// One side of the comparison.
struct Side {
    manifest: Manifest,
    contents: Contents,
    /// Read from a digest record: digests per service and target only, no file list.
    record_only: bool,
}

/// Where a side's file contents come from.
enum Contents {
    /// A bundle directory.
    Dir(PathBuf),
    /// A bundle built in memory.
    Memory(BTreeMap<String, Vec<u8>>),
    /// Only a manifest: digests, no contents.
    None,
}

impl Contents {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Contents::Dir(dir) => std::fs::read(dir.join(path)).ok(),
            Contents::Memory(files) => files.get(path).cloned(),
            Contents::None => None,
        }
    }

    fn available(&self) -> bool {
        !matches!(self, Contents::None)
    }
}

pub fn run(args: &DiffArgs) -> ExitStatus {
    let mut plugins = None;
    let sides = match (&args.base, args.sides.as_slice()) {
        (Some(rev), [stack]) => {
            let loader = match crate::git_loader::GitLoader::new(rev) {
                Ok(loader) => loader,
                Err(reason) => {
                    eprintln!("error: {reason}");
                    return ExitStatus::Error;
                }
            };
            if loader.exists(stack) {
                build(stack, args, &mut plugins, &loader, Some(rev))
                    .and_then(|old| Ok((old, build(stack, args, &mut plugins, &crate::loader::FsLoader, None)?)))
            } else {
                // A stack that is new since REV: everything in it is added.
                eprintln!("note: `{}` does not exist in `{rev}`; every service is new", stack.display());
                build(stack, args, &mut plugins, &crate::loader::FsLoader, None).map(|new| (empty(&new), new))
            }
        }
        (Some(_), _) => {
            eprintln!(
                "error: with `--base REV`, give one stack file\n\nhint: stackc diff --base HEAD~1 stacks/web-tls.kdl"
            );
            return ExitStatus::Error;
        }
        (None, [old, new]) => side(old, args, &mut plugins).and_then(|o| Ok((o, side(new, args, &mut plugins)?))),
        (None, _) => {
            eprintln!(
                "error: give two bundles to compare, or one stack file with `--base REV`\n\nhint: stackc diff OLD NEW"
            );
            return ExitStatus::Error;
        }
    };
    let Ok((old, new)) = sides else { return ExitStatus::Error };

    let diff = if old.record_only || new.record_only {
        Record::of(&old.manifest).diff(&Record::of(&new.manifest))
    } else {
        stackc::bundle::diff(&old.manifest, &new.manifest)
    };
    let patches = if args.stat { Vec::new() } else { patches(&diff, &old, &new) };
    let text = match args.format {
        DiffFormat::Text => {
            let mut out = text_table(&diff);
            for (_, patch) in &patches {
                out.push('\n');
                out.push_str(patch);
            }
            out
        }
        DiffFormat::Markdown => markdown(&diff, &patches),
        DiffFormat::Json => json(&diff, &patches, args.stat),
    };
    print!("{text}");
    if diff.identical { ExitStatus::Success } else { ExitStatus::Failure }
}

/// Reads a side named on the command line: a bundle directory, a manifest, or a stack file.
fn side(path: &Path, args: &DiffArgs, plugins: &mut Option<Plugins>) -> Result<Side, ()> {
    if path.extension().is_some_and(|e| e == "kdl") {
        return build(path, args, plugins, &crate::loader::FsLoader, None);
    }
    let (manifest_path, contents) = if path.is_dir() {
        (path.join("manifest.toml"), Contents::Dir(path.to_path_buf()))
    } else {
        (path.to_path_buf(), Contents::None)
    };
    let text = std::fs::read_to_string(&manifest_path).map_err(|error| {
        eprintln!("error: cannot read `{}`: {}", manifest_path.display(), crate::loader::io_reason(&error));
    })?;
    let manifest = match Manifest::parse(&text) {
        Ok(manifest) => manifest,
        Err(error) => match Record::parse(&text) {
            Ok(record) => {
                return Ok(Side { manifest: from_record(record), contents: Contents::None, record_only: true });
            }
            Err(_) => {
                eprintln!("error: `{}` is not a valid manifest: {}", manifest_path.display(), error.0);
                return Err(());
            }
        },
    };
    Ok(Side { manifest, contents, record_only: false })
}

/// No bundle at all: the old side of a stack that did not exist yet.
fn empty(new: &Side) -> Side {
    let manifest = Manifest {
        format: new.manifest.format,
        stack: new.manifest.stack.clone(),
        root: String::new(),
        services: BTreeMap::new(),
        targets: BTreeMap::new(),
        files: Vec::new(),
    };
    Side { manifest, contents: Contents::Memory(BTreeMap::new()), record_only: false }
}

/// A manifest with a record's digests and no files.
fn from_record(record: Record) -> Manifest {
    let service = |digest| ServiceEntry { plugin: String::new(), digest, files: 0 };
    Manifest {
        format: record.format,
        stack: record.stack,
        root: record.root,
        services: record.services.into_iter().map(|(name, digest)| (name, service(digest))).collect(),
        targets: record.targets.into_iter().map(|(name, digest)| (name, TargetEntry { digest, files: 0 })).collect(),
        files: Vec::new(),
    }
}

/// Builds a stack in memory, reading sources through `loader`.
fn build(
    stack: &Path,
    args: &DiffArgs,
    plugins: &mut Option<Plugins>,
    loader: &dyn stackc::SourceLoader,
    rev: Option<&str>,
) -> Result<Side, ()> {
    if plugins.is_none() {
        *plugins = Some(load_plugins().map_err(|_| ())?);
    }
    let plugins = plugins.as_ref().expect("loaded above");
    let stack_args = StackArgs { stack: stack.to_path_buf(), set: args.set.clone(), values: args.values.clone() };
    let compilation = compile_with(&stack_args, plugins, loader, None, None).map_err(|_| {
        let at = rev.map(|rev| format!(" as of `{rev}`")).unwrap_or_default();
        eprintln!("error: `{}` cannot be built{at}", stack.display());
    })?;
    let bundle = compilation.bundle.expect("no errors means a bundle");
    let files = bundle.files.into_iter().map(|f| (f.path, f.contents)).collect();
    Ok(Side { manifest: bundle.manifest, contents: Contents::Memory(files), record_only: false })
}

fn short(digest: Option<&String>) -> &str {
    digest.map_or("-", |d| Manifest::short(d))
}

fn digests(entry: &EntryDiff) -> String {
    match entry.change {
        Change::Unchanged | Change::Removed => short(entry.old_digest.as_ref()).to_owned(),
        Change::Added => short(entry.new_digest.as_ref()).to_owned(),
        Change::Changed => format!("{} → {}", short(entry.old_digest.as_ref()), short(entry.new_digest.as_ref())),
    }
}

fn kind(entry: &EntryDiff) -> &'static str {
    match entry.kind {
        Kind::Service => "service",
        Kind::Target => "target",
    }
}

fn counts(diff: &BundleDiff) -> String {
    let count = |c: Change| diff.entries.iter().filter(|e| e.change == c).count();
    format!(
        "{} changed, {} added, {} removed, {} unchanged",
        count(Change::Changed),
        count(Change::Added),
        count(Change::Removed),
        count(Change::Unchanged)
    )
}

fn stack_name(diff: &BundleDiff) -> String {
    if diff.old_stack == diff.new_stack {
        format!("`{}`", diff.new_stack)
    } else {
        format!("`{}` → `{}`", diff.old_stack, diff.new_stack)
    }
}

/// A short root digest, `none` for a side without a bundle.
fn short_root(root: &str) -> &str {
    if root.is_empty() { "none" } else { Manifest::short(root) }
}

fn root_line(diff: &BundleDiff) -> String {
    if diff.identical {
        format!("{} (identical)", Manifest::short(&diff.new_root))
    } else {
        format!("{} → {}", short_root(&diff.old_root), short_root(&diff.new_root))
    }
}

/// The per-service table as plain text (also used by `stackc build --check`).
pub fn text_table(diff: &BundleDiff) -> String {
    let mut out = format!("stack {}: {}\nroot {}\n", stack_name(diff), counts(diff), root_line(diff));
    let name_width = diff.entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let digest_width = diff.entries.iter().map(|e| digests(e).chars().count()).max().unwrap_or(0);
    for entry in &diff.entries {
        let files = match entry.files.len() {
            0 => String::new(),
            1 => "  1 file".to_owned(),
            n => format!("  {n} files"),
        };
        let digest = digests(entry);
        let pad = digest_width - digest.chars().count();
        let line = format!(
            "  {:<9}  {:<7}  {:<name_width$}  {digest}{:pad$}{files}",
            entry.change.as_str(),
            kind(entry),
            entry.name,
            ""
        );
        out.push_str(line.trim_end());
        out.push('\n');
        for path in &entry.files {
            out.push_str(&format!("      {path}\n"));
        }
    }
    out
}

/// Unified diffs of the files that differ, in path order: `(path, patch)`.
fn patches(diff: &BundleDiff, old: &Side, new: &Side) -> Vec<(String, String)> {
    diff.files.iter().map(|file| (file.path.clone(), patch(file, old, new))).collect()
}

fn patch(file: &FileChange, old: &Side, new: &Side) -> String {
    let (a, b) = (format!("a/{}", file.path), format!("b/{}", file.path));
    let mut header = String::new();
    if let (Some(from), Some(to)) = (&file.old_mode, &file.new_mode) {
        header.push_str(&format!("mode {from} → {to}: {}\n", file.path));
    }
    if file.old_digest == file.new_digest {
        return header;
    }
    let read = |side: &Side, present: bool| -> Result<Option<Vec<u8>>, ()> {
        if !present {
            return Ok(None);
        }
        if !side.contents.available() {
            return Err(());
        }
        side.contents.get(&file.path).map(Some).ok_or(())
    };
    let (Ok(before), Ok(after)) = (read(old, file.old_digest.is_some()), read(new, file.new_digest.is_some())) else {
        header.push_str(&format!("{}: contents not available (only a manifest was given)\n", file.path));
        return header;
    };
    let (before_text, after_text) = (
        std::str::from_utf8(before.as_deref().unwrap_or_default()),
        std::str::from_utf8(after.as_deref().unwrap_or_default()),
    );
    let (Ok(before_text), Ok(after_text)) = (before_text, after_text) else {
        header.push_str(&format!("Binary files {} and {} differ\n", file.path, file.path));
        return header;
    };
    let from = if before.is_some() { a.as_str() } else { "/dev/null" };
    let to = if after.is_some() { b.as_str() } else { "/dev/null" };
    let text_diff = similar::TextDiff::from_lines(before_text, after_text);
    let mut unified = text_diff.unified_diff();
    header.push_str(&unified.context_radius(3).header(from, to).missing_newline_hint(true).to_string());
    header
}

fn markdown(diff: &BundleDiff, patches: &[(String, String)]) -> String {
    let mut out = format!("### stackc diff: {}\n\n", stack_name(diff));
    let root = if diff.identical {
        format!("`{}` (identical)", Manifest::short(&diff.new_root))
    } else {
        format!("`{}` → `{}`", short_root(&diff.old_root), short_root(&diff.new_root))
    };
    out.push_str(&format!("{} · root {root}\n\n", counts(diff)));
    out.push_str("| change | kind | name | digest | files |\n|---|---|---|---|---|\n");
    for entry in &diff.entries {
        let files = entry.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join("<br>");
        let digest = digests(entry).split(" → ").map(|d| format!("`{d}`")).collect::<Vec<_>>().join(" → ");
        let change = match entry.change {
            Change::Unchanged => "unchanged".to_owned(),
            other => format!("**{}**", other.as_str()),
        };
        out.push_str(&format!("| {change} | {} | `{}` | {digest} | {files} |\n", kind(entry), entry.name));
    }
    for (path, patch) in patches {
        let longest = longest_backtick_run(patch);
        let fence = "`".repeat(longest.max(2) + 1);
        out.push_str(&format!(
            "\n<details><summary><code>{}</code></summary>\n\n{fence}diff\n{patch}{fence}\n\n</details>\n",
            html_escape(path)
        ));
    }
    out
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn json(diff: &BundleDiff, patches: &[(String, String)], stat: bool) -> String {
    let mut value = serde_json::to_value(diff).expect("a diff is representable in JSON");
    if !stat {
        let patches: Vec<_> =
            patches.iter().map(|(path, patch)| serde_json::json!({ "path": path, "patch": patch })).collect();
        value["patches"] = serde_json::Value::Array(patches);
    }
    let mut text = serde_json::to_string_pretty(&value).expect("JSON renders");
    text.push('\n');
    text
}
