//! Plugins built against `stackc:plugin@0.2.0`: their bindings, and the conversions between
//! their records and those of 0.3.0, the next version.
//!
//! 0.3.0 added owners to host files and secret files, and the `account` and `traffic-gate`
//! artifacts. A 0.2.0 plugin's files are owned by root, as they were, and it makes neither new
//! artifact; its inputs are the same. So a 0.2.0 plugin costs a conversion at the call, not a
//! code path: outputs move field by field into the 0.3.0 records, and from there through
//! `v0_3` into the current ones, which is all later phases ever see. Each conversion names
//! every field, so that a field added to a 0.3.0 record fails to compile here until this
//! module says what a 0.2.0 plugin gives it. A 0.1.0 plugin's records come here from `v0_1`.

use crate::older::{
    artifact_with, container_with, exports_with, render_input_unchanged_since_0_2, same_fields, unchanged_since_0_1,
};
use crate::v0_3::types as next;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.2.0",
        world: "plugin",
    });
}

pub(crate) use bindings::PluginPre;
pub(crate) use bindings::exports::stackc::plugin::service_plugin::Guest as ServicePlugin;
use bindings::stackc::plugin::host as old_host;
/// The 0.2.0 records, which `v0_1` converts into.
pub(crate) use bindings::stackc::plugin::types;
use bindings::stackc::plugin::types as old;

/// The WIT package version of these bindings.
pub(crate) const VERSION: &str = "0.2.0";

unchanged_since_0_1!();
render_input_unchanged_since_0_2!();
exports_with!({});

/// A 0.2.0 secret file: owned by root, the only owner 0.2.0 could give.
fn secret_file(file: old::SecretFile) -> next::SecretFile {
    let old::SecretFile { path, secret, mode } = file;
    next::SecretFile { path, secret, mode, owner: None, group: None }
}

pub(crate) fn artifact(artifact: old::Artifact) -> next::Artifact {
    artifact_with!(artifact, {
        old::Artifact::HostFile(f) => {
            let old::HostFile { host, path, contents, mode } = f;
            A::HostFile(next::HostFile { host, path, contents, mode, owner: None, group: None })
        }
        old::Artifact::SecretFile(f) => A::SecretFile(secret_file(f)),
        old::Artifact::Container(c) => A::Container(container_with!(c, secret_file)),
        old::Artifact::ImageBuild(b) => {
            let old::ImageBuild { name, files } = b;
            let files = files.into_iter().map(|f| same_fields!(BundleFile, f, { path, contents, mode })).collect();
            A::ImageBuild(next::ImageBuild { name, files })
        }
        old::Artifact::Network(n) => A::Network(same_fields!(Network, n, { name, internal })),
        old::Artifact::Volume(v) => A::Volume(same_fields!(Volume, v, { name })),
    })
}
