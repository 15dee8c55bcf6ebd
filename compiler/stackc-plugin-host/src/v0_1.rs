//! Plugins built against `stackc:plugin@0.1.0`: their bindings, and the conversions between
//! their records and those of 0.2.0, the next version.
//!
//! 0.2.0 added the Compose placement (`render-input.compose-project`) and its artifacts; every
//! 0.1.0 record has a 0.2.0 one with the same fields. A 0.1.0 plugin's records go through
//! this module and then `v0_2`, one version at a time, to the current ones (see `v0_2.rs`).
//! Each conversion names every field, so that a field added to a 0.2.0 record would fail to
//! compile here until this module says what a 0.1.0 plugin gives it.

use crate::older::{artifact_with, exports_with, same_fields, unchanged_since_0_1};
use crate::v0_2::types as next;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.1.0",
        world: "plugin",
    });
}

pub(crate) use bindings::PluginPre;
pub(crate) use bindings::exports::stackc::plugin::service_plugin::Guest as ServicePlugin;
use bindings::stackc::plugin::host as old_host;
use bindings::stackc::plugin::types as old;

/// The WIT package version of these bindings.
pub(crate) const VERSION: &str = "0.1.0";

unchanged_since_0_1!();
exports_with!({});

/// The render input without the Compose project, which 0.1.0 plugins cannot be placed in
/// knowingly: what such a plugin renders for a Compose service is refused by the emitters'
/// placement checks.
pub(crate) fn render_input(input: &next::RenderInput) -> old::RenderInput {
    old::RenderInput {
        stack: input.stack.clone(),
        service: input.service.clone(),
        config: input.config.clone(),
        hosts: input
            .hosts
            .iter()
            .map(|h| old::HostInfo { name: h.name.clone(), address: h.address.clone(), groups: h.groups.clone() })
            .collect(),
        stack_endpoints: input.stack_endpoints.clone(),
    }
}

pub(crate) fn artifact(artifact: old::Artifact) -> next::Artifact {
    artifact_with!(artifact, {
        old::Artifact::HostFile(f) => A::HostFile(same_fields!(HostFile, f, { host, path, contents, mode })),
        old::Artifact::SecretFile(f) => A::SecretFile(same_fields!(SecretFile, f, { path, secret, mode })),
    })
}
