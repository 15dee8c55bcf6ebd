//! `stackc diff`: what changed between two bundles, per service, with unified diffs.

mod listing;
mod markdown;
mod patch;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stackc::Plugins;
use stackc::bundle::{BundleDiff, Manifest, Record, ServiceEntry, TargetEntry};

pub use self::listing::Listing;
pub use self::text::table as text_table;
use super::{ExitStatus, compile_with, load_plugins};
use crate::args::{DiffArgs, DiffFormat, StackArgs};
use crate::natural_order;

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

pub fn run(args: &DiffArgs, quiet: bool) -> ExitStatus {
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
                build(stack, args, &mut plugins, &loader, Some(rev)).and_then(|old| {
                    Ok((old, build(stack, args, &mut plugins, &crate::loader::FsLoader::ONLINE, None)?))
                })
            } else {
                // A stack that is new since REV: everything in it is added.
                if !quiet {
                    eprintln!("note: `{}` does not exist in `{rev}`; every service is new", stack.display());
                }
                build(stack, args, &mut plugins, &crate::loader::FsLoader::ONLINE, None).map(|new| (empty(&new), new))
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

    let mut diff = if old.record_only || new.record_only {
        Record::of(&old.manifest).diff(&Record::of(&new.manifest))
    } else {
        stackc::bundle::diff(&old.manifest, &new.manifest)
    };
    in_natural_order(&mut diff);
    let patches = if args.stat { Vec::new() } else { patch::patches(&diff, &old, &new) };
    let listing = Listing::new(&diff, args.all);
    let text = match args.format {
        DiffFormat::Text => {
            let mut out = text_table(&diff, &listing, "--all");
            for (_, patch) in &patches {
                out.push('\n');
                out.push_str(patch);
            }
            out
        }
        DiffFormat::Markdown => markdown::report(&diff, &listing, &patches, markdown::LIMIT),
        // Data for programs: every entry, whatever `--all` says.
        DiffFormat::Json => json(&diff, &patches, args.stat),
    };
    if !quiet {
        crate::stdout::print(&text);
    }
    if diff.identical { ExitStatus::Success } else { ExitStatus::Failure }
}

/// Entries (services, then targets) and files in natural order of their names, so that
/// `proxy14` comes before `proxy139` in every format.
fn in_natural_order(diff: &mut BundleDiff) {
    diff.entries.sort_by(listing::in_order);
    diff.files.sort_by(|a, b| natural_order::compare(&a.path, &b.path));
}

/// Reads a side named on the command line: a bundle directory, a manifest, or a stack file.
fn side(path: &Path, args: &DiffArgs, plugins: &mut Option<Plugins>) -> Result<Side, ()> {
    if path.extension().is_some_and(|e| e == "kdl") {
        return build(path, args, plugins, &crate::loader::FsLoader::ONLINE, None);
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
    let stack_args = StackArgs {
        stack: stack.to_path_buf(),
        params: args.params.clone(),
        deny: Vec::new(),
        format: Default::default(),
    };
    let compilation =
        compile_with(&stack_args, plugins, loader, None, None, crate::report::Ending::Count).map_err(|_| {
            let at = rev.map(|rev| format!(" as of `{rev}`")).unwrap_or_default();
            eprintln!("error: `{}` cannot be built{at}", stack.display());
        })?;
    let bundle = compilation.bundle.expect("no errors means a bundle");
    let files = bundle.files.into_iter().map(|f| (f.path, f.contents)).collect();
    Ok(Side { manifest: bundle.manifest, contents: Contents::Memory(files), record_only: false })
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
