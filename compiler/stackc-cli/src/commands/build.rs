//! `stackc build`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use stackc::bundle::lock::PluginSource;
use stackc::bundle::{Manifest, Record};
use stackc::{Compilation, Compiled, Progress};
use stackc_model::Sha256Digest;

use super::{ExitStatus, compile_with, load_plugins};
use crate::args::BuildArgs;
use crate::build_record::{BuildRecord, RecordKey, Recording};
use crate::loader::FsLoader;
use crate::lockfile::LockUpdate;
use crate::progress_line::ProgressLine;
use crate::render_cache::RenderPack;
use crate::report::Ending;
use crate::wording::count;

pub fn run(args: &BuildArgs, quiet: bool) -> ExitStatus {
    let start = Instant::now();
    // `--check`, `--record` and `--verbose` want a compilation; a plain build whose inputs
    // and bundle are as the last build left them has nothing to do.
    let record_key = (!args.check && !args.record && !args.verbose)
        .then(|| RecordKey::new(&args.stack.stack, &args.out, &args.stack.record_inputs(), args.locked))
        .flatten();
    if let Some(record) = record_key.as_ref().and_then(BuildRecord::still_current) {
        if args.timings {
            eprintln!(
                "timings: inputs and bundle unchanged since the last build, nothing compiled; total {:.2?}",
                start.elapsed()
            );
        }
        if !quiet {
            crate::stdout::print(&record.summary);
        }
        return ExitStatus::Success;
    }
    let plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    let loaded = start.elapsed();
    let render_cache = RenderPack::for_stack(&args.stack.stack);
    // `--locked` builds offline: published plugins come from stackc's cache alone.
    let files = if args.locked { FsLoader::OFFLINE } else { FsLoader::ONLINE };
    let loader = Recording::new(&files);
    let progress = Progress::default();
    let finished = AtomicBool::new(false);
    let compiled = std::thread::scope(|scope| {
        let line = ProgressLine::show(scope, &progress, &finished, !quiet);
        let compiled = compile_with(
            &args.stack,
            &plugins,
            &loader,
            render_cache.as_ref().map(|c| c as _),
            Some(&progress),
            Ending::NothingWritten,
        );
        line.finish();
        compiled
    });
    // A failed build writes nothing, its render cache included.
    if let (Some(cache), Ok(_)) = (&render_cache, &compiled) {
        cache.save();
    }
    let compilation = match compiled {
        Ok(c) => c,
        Err(status) => return status,
    };
    let bundle = compilation.bundle.as_ref().expect("no errors means a bundle");
    if args.verbose {
        for line in describe_loading(&compilation) {
            eprintln!("{line}");
        }
        let t = &compilation.timings;
        eprintln!("render: {} services rendered, {} reused from the render cache", t.rendered, t.reused);
    }
    let lock = match LockUpdate::new(&args.stack.stack, &compilation) {
        Ok(lock) => lock,
        Err(message) => {
            eprintln!(
                "error: {message}

hint: `stackc build` rewrites a lockfile it can read; remove a damaged one"
            );
            return ExitStatus::Error;
        }
    };
    if args.locked
        && let Some(message) = lock.locked_error(&args.stack.stack.to_string_lossy())
    {
        eprintln!("{message}");
        return ExitStatus::Failure;
    }
    if args.check {
        return check_record(args, bundle, quiet);
    }
    let stored = match crate::store::store(&args.out, bundle) {
        Ok(stored) => stored,
        Err(error) => {
            eprintln!(
                "error: cannot write the bundle under `{}`: {}\n\nhint: the previous bundle is untouched; check permissions and free space",
                args.out.display(),
                crate::loader::io_reason(&error)
            );
            return ExitStatus::Error;
        }
    };
    if args.timings {
        let t = &compilation.timings;
        eprintln!(
            "timings: load plugins {:.2?}, resolve {:.2?}, expose {:.2?}, render {:.2?} ({} rendered, {} reused), emit+bundle {:.2?}, plugin calls {:.2?}, total {:.2?}",
            loaded,
            t.resolve,
            t.expose,
            t.render,
            t.rendered,
            t.reused,
            t.emit,
            t.plugin_calls,
            start.elapsed()
        );
    }
    if !quiet {
        crate::stdout::print(&summary(bundle, &stored, args.verbose));
    }
    match lock.write() {
        Ok(true) if !quiet => outln!("lock   {} (written)", lock.path.display()),
        Ok(_) => {}
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    }
    if let Some(key) = &record_key
        && compilation.diagnostics.is_empty()
    {
        remember_build(key, bundle, &stored, loader.into_read(), &lock.path, args);
    }
    if args.record {
        let path = record_path(args);
        let text = Record::of(&bundle.manifest).to_toml();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if let Err(error) = std::fs::write(&path, text) {
                eprintln!("error: cannot write `{}`: {}", path.display(), crate::loader::io_reason(&error));
                return ExitStatus::Error;
            }
            if !quiet {
                outln!("record {} (written)", path.display());
            }
        } else if !quiet {
            outln!("record {} (unchanged)", path.display());
        }
    }
    ExitStatus::Success
}

/// Records what this build read and wrote, so that the next build with the same inputs is
/// a no-op (see `build_record`).
fn remember_build(
    key: &RecordKey,
    bundle: &stackc::bundle::Bundle,
    stored: &crate::store::Stored,
    mut inputs: Vec<(String, Sha256Digest)>,
    lock: &std::path::Path,
    args: &BuildArgs,
) {
    let Ok(lock_bytes) = std::fs::read(lock) else { return };
    inputs.push((lock.to_string_lossy().into_owned(), Sha256Digest::of(&lock_bytes)));
    let paths = bundle.files.iter().map(|f| f.path.as_str()).chain(["manifest.toml"]);
    let Some(files) = BuildRecord::stamps(&stored.dir, paths) else { return };
    let unchanged = crate::store::Stored { dir: stored.dir.clone(), wrote: false };
    let record = BuildRecord {
        stack_dir: args.out.join(&bundle.stack),
        bundle: bundle.root().trim_start_matches("sha256:").to_owned(),
        inputs,
        files,
        summary: summary(bundle, &unchanged, false),
    };
    record.save(key);
}

/// `<stack>.digests.toml` beside the stack file, or `--digests FILE`.
fn record_path(args: &BuildArgs) -> PathBuf {
    args.digests.clone().unwrap_or_else(|| args.stack.stack.with_extension("digests.toml"))
}

/// `--check`: compares the fresh build's digests with the record; writes nothing.
fn check_record(args: &BuildArgs, bundle: &stackc::bundle::Bundle, quiet: bool) -> ExitStatus {
    let path = record_path(args);
    let stack = args.stack.stack.display();
    let record_command = record_command(args);
    let recorded = match std::fs::read_to_string(&path) {
        Ok(text) => match Record::parse(&text) {
            Ok(record) => record,
            Err(error) => {
                eprintln!("error: cannot read the digest record `{}`: {}", path.display(), error.0);
                return ExitStatus::Error;
            }
        },
        Err(error) => {
            eprintln!(
                "error: cannot read the digest record `{}`: {}\n\nhint: create it with `{record_command}`",
                path.display(),
                crate::loader::io_reason(&error)
            );
            return ExitStatus::Error;
        }
    };
    let diff = recorded.diff(&Record::of(&bundle.manifest));
    if diff.identical {
        if quiet {
            return ExitStatus::Success;
        }
        outln!("stack `{}` matches its digest record `{}` (root {})", bundle.stack, path.display(), bundle.root());
        return ExitStatus::Success;
    }
    if !quiet {
        let listing = super::diff::Listing::new(&diff, args.verbose);
        crate::stdout::print(&super::diff::text_table(&diff, &listing, "--verbose"));
    }
    eprintln!(
        "error: the outputs of `{stack}` differ from its digest record `{}`\n\nhint: if the change is intended, update the record with `{record_command}` and commit it",
        path.display()
    );
    ExitStatus::Failure
}

/// The `stackc build --record` that writes the record `--check` compared with: the same
/// stack, `--values` files, `--set` overrides and record file, or it would record other digests
/// elsewhere.
fn record_command(args: &BuildArgs) -> String {
    let mut words = vec!["stackc".to_owned(), "build".to_owned(), "--record".to_owned()];
    words.push(shell_word(&args.stack.stack.to_string_lossy()));
    for values in &args.stack.params.values {
        words.extend(["--values".to_owned(), shell_word(values)]);
    }
    for set in &args.stack.params.set {
        words.extend(["--set".to_owned(), shell_word(set)]);
    }
    if let Some(digests) = &args.digests {
        words.extend(["--digests".to_owned(), shell_word(&digests.to_string_lossy())]);
    }
    words.join(" ")
}

/// `word` as a shell reads it back: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Services listed one per line up to this many; beyond it the summary shows the first
/// half of a screenful and a count.
const SCREENFUL: usize = 40;

/// What a build prints: a line per service (`all`, or while they fit on a screen) and
/// per deploy target, the root digest and where the bundle is.
fn summary(bundle: &stackc::bundle::Bundle, stored: &crate::store::Stored, all: bool) -> String {
    let manifest = &bundle.manifest;
    let width = manifest.services.keys().chain(manifest.targets.keys()).map(String::len).max().unwrap_or(0).max(6);
    let mut out = format!(
        "stack `{}`: {}, {}\n",
        manifest.stack,
        count(manifest.services.len(), "service"),
        count(manifest.files.len(), "file")
    );
    let shown = if all || manifest.services.len() <= SCREENFUL { manifest.services.len() } else { SCREENFUL / 2 };
    for (name, service) in manifest.services.iter().take(shown) {
        out.push_str(&format!("  {name:width$}  {}  {}\n", Manifest::short(&service.digest), service.plugin));
    }
    if shown < manifest.services.len() {
        let more = manifest.services.len() - shown;
        // Never one: a summary is cut only when it saves half a screen.
        out.push_str(&format!("  … {more} more services (`--verbose` lists every one)\n"));
    }
    for (name, target) in &manifest.targets {
        out.push_str(&format!("  {name:width$}  {}  (deploy target)\n", Manifest::short(&target.digest)));
    }
    out.push_str(&format!("root   {}\n", manifest.root));
    let state = if stored.wrote { "written" } else { "unchanged, nothing written" };
    out.push_str(&format!("bundle {} ({state})\n", stored.dir.display()));
    out
}

/// One `--verbose` line per plugin: where it came from and how it was loaded.
fn describe_loading(compilation: &Compilation) -> Vec<String> {
    compilation
        .plugins
        .iter()
        .map(|used| {
            let p = &used.pin;
            let from = match &p.source {
                PluginSource::Builtin => "built in".to_owned(),
                PluginSource::File(file) => format!("from {file}"),
                PluginSource::Oci(reference) => format!("from {reference}"),
            };
            let signed = match &p.signer {
                Some(signer) => format!(", signed by {signer}"),
                None => String::new(),
            };
            let how = match &used.compiled {
                Compiled::Embedded => "precompiled into stackc".to_owned(),
                Compiled::CacheHit => "loaded from the compile cache".to_owned(),
                Compiled::CacheMiss { stored: true } => "compiled, saved to the compile cache".to_owned(),
                Compiled::CacheMiss { stored: false } => "compiled (no compile cache)".to_owned(),
                Compiled::Rebuilt { why } => format!("compiled again: the cache entry was {why}"),
            };
            format!("plugin {} {} ({from}, sha256 {}{signed}): {how}", p.name, p.version, p.sha256)
        })
        .collect()
}
