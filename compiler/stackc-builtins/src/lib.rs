//! The built-in plugins, compiled to WebAssembly components and precompiled for this
//! build's wasmtime by `build.rs`, embedded as bytes.
//!
//! This crate holds bytes only; `stackc-plugin-host` turns them into runnable plugins.

/// One built-in plugin.
pub struct Builtin {
    /// The plugin crate, e.g. `stackc-plugin-nginx`.
    pub crate_name: &'static str,
    /// The name stacks use in `plugin="…"`, as the plugin describes itself.
    pub name: &'static str,
    /// The component, exactly as a third-party plugin would ship it. Its sha256 is the
    /// plugin's digest.
    pub component: &'static [u8],
    /// `component` precompiled by wasmtime with the host's engine configuration.
    pub precompiled: &'static [u8],
    /// sha256 of `component`, computed by `build.rs` so that no run hashes it.
    pub digest: [u8; 32],
}

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));
