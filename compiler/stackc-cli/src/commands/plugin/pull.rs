//! `stackc plugin pull REF`: a published component (and its signature) into stackc's cache,
//! ahead of an offline `--locked` build; prints the declaration that pins it.

use crate::args::PluginPullArgs;
use crate::commands::ExitStatus;
use crate::published::PublishedStore;
use crate::registry::Registry;

pub fn run(args: &PluginPullArgs) -> ExitStatus {
    let pulled = match Registry::new(&args.reference).and_then(|registry| registry.pull()) {
        Ok(pulled) => pulled,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitStatus::Error;
        }
    };
    let info = match stackc::inspect_component(&pulled.component) {
        Ok(info) => info,
        Err(error) => {
            eprintln!("error: `{}` is not a plugin stackc can load, so it was not kept: {error}", args.reference);
            return ExitStatus::Failure;
        }
    };
    let Some(store) = PublishedStore::from_env() else {
        eprintln!("error: stackc has no cache directory: set XDG_CACHE_HOME or HOME");
        return ExitStatus::Error;
    };
    let sha256 = match store.put(&pulled.component, pulled.signature.as_deref()) {
        Ok(sha256) => sha256,
        Err(error) => {
            eprintln!("error: cannot write to stackc's cache: {}", crate::loader::io_reason(&error));
            return ExitStatus::Error;
        }
    };
    outln!("pulled plugin `{}` {} from {}", info.name, info.version, args.reference);
    outln!("sha256   {sha256}");
    outln!("manifest {}", pulled.manifest);
    outln!("{}", super::inspect::signature_line(pulled.signature.as_deref(), &pulled.component));
    outln!();
    outln!("declare it in a stack file with:");
    outln!("plugin \"{}\" oci=\"{}\" sha256=\"{sha256}\"", info.name, args.reference);
    ExitStatus::Success
}
