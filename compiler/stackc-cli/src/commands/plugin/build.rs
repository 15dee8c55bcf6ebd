//! `stackc plugin build [DIR]`: cargo for `wasm32-unknown-unknown`, componentize, verify,
//! and print the declaration that pins the result.

use std::path::{Path, PathBuf};

use crate::args::PluginBuildArgs;
use crate::commands::ExitStatus;
use crate::loader::{io_reason, normalize};

pub fn run(args: &PluginBuildArgs) -> ExitStatus {
    let built = match build(&args.dir) {
        Ok(built) => built,
        Err(status) => return status,
    };
    let sha256 = stackc_model::Sha256Digest::of(&built.component);
    let info = &built.info;
    outln!("built plugin `{}` {} (WIT {}): {}", info.name, info.version, stackc::WIT_VERSION, built.file.display());
    outln!("sha256 {sha256}");
    outln!();
    outln!("declare it in a stack file in this directory with:");
    outln!("plugin \"{}\" path=\"{}\" sha256=\"{sha256}\"", info.name, built.file.display());
    ExitStatus::Success
}

/// A plugin crate built, verified and written to `target/stackc/<name>.wasm`.
pub(super) struct Built {
    pub(super) component: Vec<u8>,
    pub(super) info: stackc::PluginInfo,
    pub(super) file: PathBuf,
}

/// Builds the plugin crate in `dir`; errors are reported on stderr.
pub(super) fn build(dir: &Path) -> Result<Built, ExitStatus> {
    let dir = normalize(dir);
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    if !dir.join("Cargo.toml").exists() {
        eprintln!(
            "error: `{}` is not a plugin crate (no Cargo.toml)\n\nhint: create one with `stackc plugin new NAME`",
            dir.display()
        );
        return Err(ExitStatus::Error);
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
            return Err(ExitStatus::Failure);
        }
    };
    // The same checks a stack's `plugin` declaration gets: imports, WIT version, `describe`.
    let info = match stackc::inspect_component(&component) {
        Ok(info) => info,
        Err(error) => {
            eprintln!(
                "error: the component cannot be used as a plugin: {error}\n\nhint: plugins depend on stackc-plugin-sdk only and call `register_plugin!`"
            );
            return Err(ExitStatus::Failure);
        }
    };
    let file = target_dir.join("stackc").join(format!("{}.wasm", info.name));
    if let Err(error) = write(&file, &component) {
        eprintln!("error: cannot write `{}`: {}", file.display(), io_reason(&error));
        return Err(ExitStatus::Error);
    }
    Ok(Built { component, info, file })
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(path, bytes)
}
