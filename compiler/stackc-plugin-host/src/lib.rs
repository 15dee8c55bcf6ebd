//! Runs service plugins as sandboxed WebAssembly components.
//!
//! This is the only crate that runs `wasmtime` (engine, stores, calls). The artifact types
//! every later phase uses ([`Artifact`] and its kinds) are the records `bindgen!` generates
//! from the WIT, re-exported below; [`Plugin::render_reusing`] checks them (`validate.rs`) and
//! passes them on unchanged. The few WIT records with a model type of their own (exports,
//! config problems, plugin info) are converted in `convert.rs`.
//!
//! The sandbox:
//! - a component may import nothing but `stackc:plugin/host` (a `log` function whose calls
//!   cannot affect output); anything else, WASI included, is refused before instantiation;
//! - every call gets a fresh store and instance, bounded by fuel (deterministic, unlike
//!   epochs) and a memory cap; a trapped instance is dropped with its store; instances come
//!   from a pool of slots whose memory is reset between calls (`slots.rs`);
//! - the engine is configured for determinism: NaN canonicalisation on, relaxed SIMD and
//!   threads off.
//!
//! Plugins built against an older WIT version still load: `v0_3.rs`, `v0_2.rs` and `v0_1.rs` hold those
//! versions' bindings and convert their records, a version at a time, into the current ones at
//! the call.
//!
//! Failures are typed values ([`LoadError`], [`CallError`]); the driver turns them into
//! diagnostics at the service's span.

mod cache;
mod convert;
mod engine;
mod error;
mod older;
mod plugin;
mod reuse;
mod sandbox;
mod slots;
mod v0_1;
mod v0_2;
mod v0_3;
mod validate;

// Explicit, so that what emitters see is what is listed here.
pub use bindings::stackc::plugin::types::{
    Account, AptRepository, Artifact, BundleFile, CommandCheck, Container, ContainerFile, Healthcheck, HelmRelease,
    HostFile, HttpCheck, ImageBuild, KubeObject, KubeSecret, Network, Process, PublishedPort, RestartPolicy,
    SecretFile, Supervisor, SystemService, TrafficGate, Volume, VolumeMount,
};
pub use cache::{CacheStore, Compiled, NoCache};
pub use engine::{ComponentInterface, Engine, WIT_VERSION, component_interface, engine_config};
pub use error::{CallError, ConfigProblem, LoadError, OutputError, PathProblem, ProblemTarget, Trap};
pub use plugin::{Plugin, PluginInfo, RenderInput};
pub use reuse::Reuse;
pub use sandbox::Limits;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.4.0",
        world: "plugin",
        // Render results are kept between runs as the plugin returned them (see `reuse`).
        additional_derives: [serde::Serialize, serde::Deserialize],
    });
}
