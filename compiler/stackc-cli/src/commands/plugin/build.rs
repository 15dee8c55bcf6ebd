//! `stackc plugin build [DIR]`: cargo for `wasm32-unknown-unknown`, componentize, verify,
//! and print the declaration that pins the result.

use std::path::{Path, PathBuf};

use crate::args::PluginBuildArgs;
use crate::commands::ExitStatus;
use crate::loader::{io_reason, normalize};

pub fn run(args: &PluginBuildArgs) -> ExitStatus {
    let dir = normalize(&args.dir);
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    if !dir.join("Cargo.toml").exists() {
        eprintln!(
            "error: `{}` is not a plugin crate (no Cargo.toml)\n\nhint: create one with `stackc plugin new NAME`",
            dir.display()
        );
        return ExitStatus::Error;
    }
    let target_dir = dir.join("target");
    let built = stackc_wasm_build::build(&stackc_wasm_build::Build {
        dir: &dir,
        packages: &[],
        target_dir: &target_dir,
        profile: "release",
        settings: stackc_wasm_build::COMPONENT_SETTINGS,
    });
    let component = match built {
        Ok(mut built) => built.remove(0).component,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Failure;
        }
    };
    // The same checks a stack's `plugin` declaration gets: imports, WIT version, `describe`.
    let info = match stackc::inspect_component(&component) {
        Ok(info) => info,
        Err(error) => {
            eprintln!(
                "error: the component cannot be used as a plugin: {error}\n\nhint: plugins depend on stackc-plugin-sdk only and call `register_plugin!`"
            );
            return ExitStatus::Failure;
        }
    };
    let out = target_dir.join("stackc").join(format!("{}.wasm", info.name));
    if let Err(error) = write(&out, &component) {
        eprintln!("error: cannot write `{}`: {}", out.display(), io_reason(&error));
        return ExitStatus::Error;
    }
    let sha256 = stackc_model::Sha256Digest::of(&component);
    outln!("built plugin `{}` {} (WIT {}): {}", info.name, info.version, stackc::WIT_VERSION, out.display());
    outln!("sha256 {sha256}");
    outln!();
    outln!("declare it in a stack file in this directory with:");
    outln!("plugin \"{}\" path=\"{}\" sha256=\"{sha256}\"", info.name, out.display());
    ExitStatus::Success
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(path, bytes)
}
