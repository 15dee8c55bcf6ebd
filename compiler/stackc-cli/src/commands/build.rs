//! `stackc build`.

use std::time::Instant;

use stackc::bundle::Manifest;

use super::{ExitStatus, compile, load_plugins};
use crate::args::BuildArgs;

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
    ExitStatus::Success
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
