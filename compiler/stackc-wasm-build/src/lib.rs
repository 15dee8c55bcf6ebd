//! Builds plugin crates into WebAssembly components.
//!
//! 1. `cargo build --target wasm32-unknown-unknown` in a target directory of its own, with
//!    the crate's directory, its path dependencies outside it (the SDK, for a plugin crate of
//!    its own) and cargo's home remapped, so that the bytes do not depend on where the
//!    sources live;
//! 2. each core module is pre-initialized ([`preinit`]): its start-up work (parsing its
//!    templates) runs once and its memory is snapshotted, so no call pays for it again;
//! 3. each core module becomes a component with the `wit-component` crate. Code built for
//!    `wasm32-unknown-unknown` imports nothing, so no WASI adapter is involved.
//!
//! Used by build scripts (built-in plugins, test guests) and by `stackc plugin build`.

// This crate drives cargo, whose interface is the environment; nothing here reaches outputs.
#![allow(clippy::disallowed_methods)]

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod preinit;

/// The cargo profile plugins are built with (defined in the workspace `Cargo.toml`; a
/// standalone plugin crate gets `release`).
pub const WORKSPACE_PROFILE: &str = "plugin";

/// Profile settings for a plugin crate built on its own (`stackc plugin build`), given to
/// cargo as `--config profile.<profile>.<key>=<value>`: the crate's manifest needs no
/// profile of its own (a workspace member's would be ignored), and every plugin is built the
/// same way. The same settings as the workspace's `plugin` profile.
pub const COMPONENT_SETTINGS: &[(&str, &str)] =
    &[("opt-level", "\"s\""), ("debug", "false"), ("strip", "\"debuginfo\""), ("panic", "\"abort\"")];

/// What to build.
pub struct Build<'a> {
    /// Directory cargo runs in (a workspace root or a plugin crate).
    pub dir: &'a Path,
    /// Packages to build (`-p`); empty builds the crate at `dir`.
    pub packages: &'a [String],
    pub target_dir: &'a Path,
    /// Cargo profile, e.g. [`WORKSPACE_PROFILE`] or `release`.
    pub profile: &'a str,
    /// Settings of that profile to override, e.g. [`COMPONENT_SETTINGS`].
    pub settings: &'a [(&'a str, &'a str)],
}

/// A built component.
pub struct Built {
    /// The crate name with `-` as in Cargo.toml.
    pub name: String,
    pub component: Vec<u8>,
}

/// Builds the packages and componentizes each. Cargo's own output goes to stderr.
pub fn build(build: &Build<'_>) -> Result<Vec<Built>, String> {
    let dir = build.dir.canonicalize().map_err(|e| format!("{}: {e}", build.dir.display()))?;
    // Cargo runs in `dir`, so a relative target directory would be taken relative to it.
    let target_dir =
        std::path::absolute(build.target_dir).map_err(|e| format!("{}: {e}", build.target_dir.display()))?;
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo_home = env::var("CARGO_HOME").ok().or_else(|| env::var("HOME").ok().map(|h| format!("{h}/.cargo")));
    let mut rustflags = format!("--remap-path-prefix={}=/src", dir.display());
    for (dep, name) in outside_path_dependencies(&cargo, &dir)? {
        write!(rustflags, "\x1f--remap-path-prefix={}=/deps/{name}", dep.display()).expect("write to string");
    }
    if let Some(home) = cargo_home {
        write!(rustflags, "\x1f--remap-path-prefix={home}=/cargo").expect("write to string");
    }
    let mut command = Command::new(&cargo);
    command
        .current_dir(&dir)
        .args([
            "build",
            "--profile",
            build.profile,
            "--target",
            "wasm32-unknown-unknown",
            "--message-format",
            "short",
            "--target-dir",
        ])
        .arg(&target_dir);
    for name in build.packages {
        command.args(["-p", name]);
    }
    for (key, value) in build.settings {
        command.arg("--config").arg(format!("profile.{}.{key}={value}", build.profile));
    }
    // An enclosing cargo's flags and wrappers are for the host target (and may be clippy's).
    for var in [
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(var);
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", rustflags);
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build for wasm32-unknown-unknown failed (is the target installed? `rustup target add wasm32-unknown-unknown`)".to_owned());
    }
    let names: Vec<String> = if build.packages.is_empty() { vec![crate_name(&dir)?] } else { build.packages.to_vec() };
    names
        .into_iter()
        .map(|name| {
            let module = module_path(&target_dir, build.profile, &name);
            let bytes = std::fs::read(&module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
            let module = preinit::preinitialize(&bytes).map_err(|e| format!("pre-initializing `{name}`: {e}"))?;
            let component = componentize(&module).map_err(|e| format!("componentizing `{name}`: {e}"))?;
            Ok(Built { name, component })
        })
        .collect()
}

/// Local (path) packages of the build that live outside `dir`, with their names: a plugin
/// crate of its own depends on the SDK by path, wherever the SDK was checked out.
fn outside_path_dependencies(cargo: &str, dir: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["metadata", "--format-version", "1", "--filter-platform", "wasm32-unknown-unknown"])
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let mut outside: Vec<(PathBuf, String)> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|package| package["source"].is_null())
        .filter_map(|package| {
            let manifest = PathBuf::from(package["manifest_path"].as_str()?);
            let package_dir = manifest.parent()?.to_path_buf();
            let name = package["name"].as_str()?.to_owned();
            (!package_dir.starts_with(dir)).then_some((package_dir, name))
        })
        .collect();
    outside.sort();
    Ok(outside)
}

/// Wraps a core module built with the SDK (which embeds the WIT world) into a component.
pub fn componentize(module: &[u8]) -> Result<Vec<u8>, String> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| format!("{e:#}"))
}

fn module_path(target_dir: &Path, profile: &str, name: &str) -> PathBuf {
    let dir = if profile == "dev" { "debug" } else { profile };
    target_dir.join("wasm32-unknown-unknown").join(dir).join(format!("{}.wasm", name.replace('-', "_")))
}

/// The `name` of the package in `dir/Cargo.toml`.
fn crate_name(dir: &Path) -> Result<String, String> {
    let manifest =
        std::fs::read_to_string(dir.join("Cargo.toml")).map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    manifest
        .lines()
        .skip_while(|l| l.trim() != "[package]")
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| "Cargo.toml has no [package] name".to_owned())
}
