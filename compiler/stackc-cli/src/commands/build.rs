//! `stackc build`.

use std::path::PathBuf;
use std::time::Instant;

use stackc::bundle::lock::PluginSource;
use stackc::bundle::{Manifest, Record};
use stackc::{Compilation, Compiled};

use super::{ExitStatus, compile, load_plugins};
use crate::args::BuildArgs;
use crate::lockfile::LockUpdate;

pub fn run(args: &BuildArgs) -> ExitStatus {
    let start = Instant::now();
    let plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    let loaded = start.elapsed();
    let compilation = match compile(&args.stack, &plugins) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let bundle = compilation.bundle.as_ref().expect("no errors means a bundle");
    if args.verbose {
        for line in describe_loading(&compilation) {
            eprintln!("{line}");
        }
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
        return check_record(args, bundle);
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
            "timings: load plugins {:.2?}, resolve {:.2?}, expose {:.2?}, render {:.2?}, emit+bundle {:.2?}, plugin calls {:.2?}, total {:.2?}",
            loaded,
            t.resolve,
            t.expose,
            t.render,
            t.emit,
            t.plugin_calls,
            start.elapsed()
        );
    }
    print!("{}", summary(bundle, &stored));
    match lock.write() {
        Ok(true) => println!("lock   {} (written)", lock.path.display()),
        Ok(false) => {}
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    }
    if args.record {
        let path = record_path(args);
        let text = Record::of(&bundle.manifest).to_toml();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if let Err(error) = std::fs::write(&path, text) {
                eprintln!("error: cannot write `{}`: {}", path.display(), crate::loader::io_reason(&error));
                return ExitStatus::Error;
            }
            println!("record {} (written)", path.display());
        } else {
            println!("record {} (unchanged)", path.display());
        }
    }
    ExitStatus::Success
}

/// `<stack>.digests.toml` beside the stack file, or `--digests FILE`.
fn record_path(args: &BuildArgs) -> PathBuf {
    args.digests.clone().unwrap_or_else(|| args.stack.stack.with_extension("digests.toml"))
}

/// `--check`: compares the fresh build's digests with the record; writes nothing.
fn check_record(args: &BuildArgs, bundle: &stackc::bundle::Bundle) -> ExitStatus {
    let path = record_path(args);
    let stack = args.stack.stack.display();
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
                "error: cannot read the digest record `{}`: {}\n\nhint: create it with `stackc build --record {stack}`",
                path.display(),
                crate::loader::io_reason(&error)
            );
            return ExitStatus::Error;
        }
    };
    let diff = recorded.diff(&Record::of(&bundle.manifest));
    if diff.identical {
        println!("stack `{}` matches its digest record `{}` (root {})", bundle.stack, path.display(), bundle.root());
        return ExitStatus::Success;
    }
    print!("{}", super::diff::text_table(&diff));
    eprintln!(
        "error: the outputs of `{stack}` differ from its digest record `{}`\n\nhint: if the change is intended, update the record with `stackc build --record {stack}` and commit it",
        path.display()
    );
    ExitStatus::Failure
}

fn summary(bundle: &stackc::bundle::Bundle, stored: &crate::store::Stored) -> String {
    let manifest = &bundle.manifest;
    let width = manifest.services.keys().chain(manifest.targets.keys()).map(String::len).max().unwrap_or(0).max(6);
    let mut out =
        format!("stack `{}`: {} services, {} files\n", manifest.stack, manifest.services.len(), manifest.files.len());
    for (name, service) in &manifest.services {
        out.push_str(&format!("  {name:width$}  {}  {}\n", Manifest::short(&service.digest), service.plugin));
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
            };
            let how = match &used.compiled {
                Compiled::Embedded => "precompiled into stackc".to_owned(),
                Compiled::CacheHit => "loaded from the compile cache".to_owned(),
                Compiled::CacheMiss { stored: true } => "compiled, saved to the compile cache".to_owned(),
                Compiled::CacheMiss { stored: false } => "compiled (no compile cache)".to_owned(),
                Compiled::Rebuilt { why } => format!("compiled again: the cache entry was {why}"),
            };
            format!("plugin {} {} ({from}, sha256 {}): {how}", p.name, p.version, p.sha256)
        })
        .collect()
}
