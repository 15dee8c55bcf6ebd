//! Builds the guest plugins under `guests/` into components for the tests to load.

// A build script learns everything from cargo through the environment.
#![allow(clippy::disallowed_methods)]

use std::env;
use std::fs;
use std::path::PathBuf;

/// The guest crates, by package name.
const GUESTS: &[&str] = &["stackc-test-hostile", "stackc-test-wit-0-1", "stackc-test-wit-0-2", "stackc-test-wit-0-3"];

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.join("../..").canonicalize().expect("workspace root");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // A target directory of its own, so that this nested cargo never waits for the lock of
    // the enclosing build (nor of the built-in plugins' build).
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from)
        .join("test-plugins-wasm");
    println!("cargo:rerun-if-changed={}", manifest_dir.join("guests").display());
    // The SDK, and the WIT directories the guests without it are built from.
    println!("cargo:rerun-if-changed={}", workspace.join("plugins/stackc-plugin-sdk").display());
    println!("cargo:rerun-if-changed={}", workspace.join("Cargo.lock").display());

    let packages: Vec<String> = GUESTS.iter().map(|name| (*name).to_owned()).collect();
    let built = stackc_wasm_build::build(&stackc_wasm_build::Build {
        dir: &workspace,
        packages: &packages,
        target_dir: &target_dir,
        profile: stackc_wasm_build::WORKSPACE_PROFILE,
        settings: &[],
    })
    .unwrap_or_else(|e| panic!("{e}"));
    for guest in built {
        let file = out_dir.join(format!("{}.wasm", guest.name.replace('-', "_")));
        fs::write(file, &guest.component).expect("write component");
    }
}
