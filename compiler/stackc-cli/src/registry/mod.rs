//! Plugins in OCI registries: a component is an OCI artifact laid out as the Bytecode
//! Alliance's `wkg` and `oci-wasm` lay out Wasm components (one `application/wasm` layer, a
//! `application/vnd.wasm.config.v0+json` config), so any OCI registry stores it and those
//! tools read it. A signature is a second artifact in the same repository, tagged
//! `sha256-<component digest>.sig` (the tag scheme cosign uses where a registry has no
//! referrers API), whose one layer is the armored SSH signature.
//!
//! The client is the ORAS project's `oci-client`, driven on a single-threaded runtime: stackc
//! makes a handful of requests per command, one after the other.

mod auth;
mod client;
mod media;

pub use client::Registry;
pub use media::Described;
