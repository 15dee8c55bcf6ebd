//! Plugins built against `stackc:plugin@0.3.0`: their bindings, and the conversions between
//! their records and the current ones.
//!
//! 0.4.0 let an endpoint name the Kubernetes Service port it is behind (`in-cluster`). A
//! 0.3.0 plugin names none, as before: references to its services in the cluster have no
//! endpoints, references to its services on hosts are placed by the host as ever. Every other
//! record is unchanged, so its artifacts move field by field. A 0.2.0 or 0.1.0 plugin's
//! records come here from `v0_2`.

use crate::bindings::stackc::plugin::types as next;
use crate::older::{
    artifact_with, container_with, exports_with, render_input_unchanged_since_0_2, same_fields, unchanged_since_0_1,
};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.3.0",
        world: "plugin",
    });
}

pub(crate) use bindings::PluginPre;
pub(crate) use bindings::exports::stackc::plugin::service_plugin::Guest as ServicePlugin;
use bindings::stackc::plugin::host as old_host;
/// The 0.3.0 records, which `v0_2` converts into.
pub(crate) use bindings::stackc::plugin::types;
use bindings::stackc::plugin::types as old;

/// The WIT package version of these bindings.
pub(crate) const VERSION: &str = "0.3.0";

unchanged_since_0_1!();
render_input_unchanged_since_0_2!();
exports_with!({ in_cluster: None });

fn secret_file(file: old::SecretFile) -> next::SecretFile {
    same_fields!(SecretFile, file, { path, secret, mode, owner, group })
}

pub(crate) fn artifact(artifact: old::Artifact) -> next::Artifact {
    artifact_with!(artifact, {
        old::Artifact::HostFile(f) => A::HostFile(same_fields!(HostFile, f, { host, path, contents, mode, owner, group })),
        old::Artifact::SecretFile(f) => A::SecretFile(secret_file(f)),
        old::Artifact::Container(c) => A::Container(container_with!(c, secret_file)),
        old::Artifact::ImageBuild(b) => {
            let old::ImageBuild { name, files } = b;
            let files = files.into_iter().map(|f| same_fields!(BundleFile, f, { path, contents, mode })).collect();
            A::ImageBuild(next::ImageBuild { name, files })
        }
        old::Artifact::Network(n) => A::Network(same_fields!(Network, n, { name, internal })),
        old::Artifact::Volume(v) => A::Volume(same_fields!(Volume, v, { name })),
        old::Artifact::Account(a) => A::Account(same_fields!(Account, a, { name, groups, authorized_keys, shell })),
        old::Artifact::TrafficGate(g) => A::TrafficGate(same_fields!(TrafficGate, g, { service, host, drain, enable })),
    })
}
