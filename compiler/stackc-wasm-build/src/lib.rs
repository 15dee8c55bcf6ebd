//! Builds plugin crates into WebAssembly components.
//!
//! 1. `cargo build --target wasm32-unknown-unknown` in a target directory of its own, with
//!    the checkout and cargo-home paths remapped so that the bytes do not depend on where the
//!    sources live;
//! 2. each core module becomes a component with the `wit-component` crate. Code built for
//!    `wasm32-unknown-unknown` imports nothing, so no WASI adapter is involved.
//!
//! Used by build scripts (built-in plugins, test guests) and by `stackc plugin build`.

// This crate drives cargo, whose interface is the environment; nothing here reaches outputs.
#![allow(clippy::disallowed_methods)]

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cargo profile plugins are built with (defined in the workspace `Cargo.toml`; a
/// standalone plugin crate gets `release`).
pub const WORKSPACE_PROFILE: &str = "plugin";

/// What to build.
pub struct Build<'a> {
    /// Directory cargo runs in (a workspace root or a plugin crate).
    pub dir: &'a Path,
    /// Packages to build (`-p`); empty builds the crate at `dir`.
    pub packages: &'a [String],
    pub target_dir: &'a Path,
    /// Cargo profile, e.g. [`WORKSPACE_PROFILE`] or `release`.
    pub profile: &'a str,
}

/// A built component.
pub struct Built {
    /// The crate name with `-` as in Cargo.toml.
    pub name: String,
    pub component: Vec<u8>,
}

/// Builds the packages and componentizes each. Cargo's own output goes to stderr.
pub fn build(build: &Build<'_>) -> Result<Vec<Built>, String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo_home = env::var("CARGO_HOME").ok().or_else(|| env::var("HOME").ok().map(|h| format!("{h}/.cargo")));
    let mut rustflags = format!("--remap-path-prefix={}=/src", build.dir.display());
    if let Some(home) = cargo_home {
        write!(rustflags, "\x1f--remap-path-prefix={home}=/cargo").expect("write to string");
    }
    let mut command = Command::new(cargo);
    command
        .current_dir(build.dir)
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
        .arg(build.target_dir);
    for name in build.packages {
        command.args(["-p", name]);
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
    let names: Vec<String> =
        if build.packages.is_empty() { vec![crate_name(build.dir)?] } else { build.packages.to_vec() };
    names
        .into_iter()
        .map(|name| {
            let module = module_path(build.target_dir, build.profile, &name);
            let bytes = std::fs::read(&module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
            let component = componentize(&bytes).map_err(|e| format!("componentizing `{name}`: {e}"))?;
            Ok(Built { name, component })
        })
        .collect()
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
