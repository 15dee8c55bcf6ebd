//! The typed stack model: what a stack file means once names, includes, params and
//! references are resolved, what services offer each other, and the sha256 digest that pins
//! plugin components and names bundle files.
//!
//! What plugins return (artifacts) is not here: those types are generated from the WIT and
//! re-exported by `stackc-plugin-host`, so that they are defined once.
//!
//! Plain data: no `kdl`, no `wasmtime`, no serde, no I/O. Every node keeps the [`Span`] it came
//! from so that later phases can point diagnostics at the source. Collections that reach
//! outputs are ordered (`Vec` in source order, or `BTreeMap`), never hash maps.
//!
//! [`Span`]: stackc_diag::Span

mod digest;
mod exports;
mod stack;
mod value;

pub use digest::{ParseDigestError, Sha256Digest};
pub use exports::{Endpoint, EndpointRole, Exports, Fact, PlacedEndpoint, ServicePort};
pub use stack::{
    ComposeNetwork, ComposeProject, Host, Item, Param, ParamType, Placement, PluginDecl, PluginOrigin, Secret,
    SecretSource, Service, Stack,
};
pub use value::{Entry, Map, Reference, Value, ValueKind};
