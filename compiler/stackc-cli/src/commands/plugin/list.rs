//! `stackc plugins`: what is available, with versions and digests.

use stackc::bundle::Manifest;

use crate::commands::{ExitStatus, load_plugins};

pub fn run() -> ExitStatus {
    let plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    outln!("{:<16} {:<8} {:<6} {:<14} {:<8} summary", "plugin", "version", "wit", "digest", "origin");
    for (name, loaded) in plugins.iter() {
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                eprintln!("error: built-in plugin `{name}` cannot be loaded: {error}");
                return ExitStatus::Error;
            }
        };
        let info = loaded.plugin.info();
        outln!(
            "{:<16} {:<8} {:<6} {:<14} {:<8} {}",
            name,
            info.version,
            stackc::WIT_VERSION,
            Manifest::short(&loaded.plugin.digest().to_string()),
            loaded.origin,
            info.summary
        );
    }
    ExitStatus::Success
}
