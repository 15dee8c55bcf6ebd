//! `stackc plugin new NAME [--path DIR]`: a plugin crate that builds, tests and renders.

use std::path::{Path, PathBuf};

use crate::args::PluginNewArgs;
use crate::commands::ExitStatus;
use crate::loader::io_reason;
use crate::scaffold;

/// Where the SDK is in the stackc checkout this binary was built from.
const SDK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../plugins/stackc-plugin-sdk");

pub fn run(args: &PluginNewArgs) -> ExitStatus {
    if let Err(message) = scaffold::check_name(&args.name) {
        eprintln!("error: {message}\n\nhint: e.g. `stackc plugin new redis-probe`");
        return ExitStatus::Error;
    }
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    if std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some()) {
        eprintln!(
            "error: `{}` exists and is not empty\n\nhint: choose another directory with `--path DIR`",
            dir.display()
        );
        return ExitStatus::Error;
    }
    let sdk = match sdk_relative_to(&dir, args.sdk.as_deref()) {
        Ok(sdk) => sdk,
        Err(message) => {
            eprintln!(
                "error: {message}\n\nhint: pass `--sdk DIR`, the `plugins/stackc-plugin-sdk` directory of a stackc checkout"
            );
            return ExitStatus::Error;
        }
    };
    for (path, text) in scaffold::files(&args.name, &sdk) {
        let target = dir.join(path);
        let written =
            std::fs::create_dir_all(target.parent().unwrap_or(&dir)).and_then(|()| std::fs::write(&target, text));
        if let Err(error) = written {
            eprintln!("error: cannot write `{}`: {}", target.display(), io_reason(&error));
            return ExitStatus::Error;
        }
    }
    let shown = dir.display();
    outln!("created plugin `{}` in {shown}/", args.name);
    outln!();
    outln!("next, run its native tests and build the component (this prints the sha256 to pin):");
    outln!("  cargo test --manifest-path {shown}/Cargo.toml");
    outln!("  stackc plugin build {shown}");
    ExitStatus::Success
}

/// The SDK directory as a path relative to the new crate, so the crate does not name the
/// machine it was made on and moves together with a checkout.
fn sdk_relative_to(dir: &Path, sdk: Option<&Path>) -> Result<PathBuf, String> {
    let sdk = sdk.unwrap_or(Path::new(SDK_DIR));
    let sdk = sdk
        .canonicalize()
        .map_err(|e| format!("cannot find the plugin SDK at `{}`: {}", sdk.display(), io_reason(&e)))?;
    if !sdk.join("Cargo.toml").exists() {
        return Err(format!("`{}` is not the plugin SDK (it has no Cargo.toml)", sdk.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {}", dir.display(), io_reason(&e)))?;
    let crate_dir = dir.canonicalize().map_err(|e| format!("{}: {}", dir.display(), io_reason(&e)))?;
    let common = crate_dir.components().zip(sdk.components()).take_while(|(a, b)| a == b).count();
    let mut relative: PathBuf = crate_dir.components().skip(common).map(|_| "..").collect();
    relative.extend(sdk.components().skip(common));
    Ok(relative)
}
