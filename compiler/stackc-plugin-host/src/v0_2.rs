//! Plugins built against `stackc:plugin@0.2.0`: their bindings, and the conversions between
//! their records and the current ones.
//!
//! 0.3.0 added owners to host files and secret files, and the `account` and `traffic-gate`
//! artifacts. A 0.2.0 plugin's files are owned by root, as they were, and it makes neither new
//! artifact; its inputs are the same. So a 0.2.0 plugin costs a conversion at the call, not a
//! code path: outputs move field by field into the current records, which is all later phases
//! ever see. Each conversion names every field, so that a field added to a current record
//! fails to compile here until this module says what a 0.2.0 plugin gives it. A 0.1.0
//! plugin's records come here from `v0_1`.

use crate::bindings::stackc::plugin::types as next;
use crate::older::{artifact_with, same_fields, unchanged_since_0_1};

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

pub(crate) fn render_input(input: &next::RenderInput) -> old::RenderInput {
    let next::RenderInput { stack, service, config, hosts, stack_endpoints, compose_project } = input;
    old::RenderInput {
        stack: stack.clone(),
        service: service.clone(),
        config: config.clone(),
        hosts: hosts
            .iter()
            .map(|h| old::HostInfo { name: h.name.clone(), address: h.address.clone(), groups: h.groups.clone() })
            .collect(),
        stack_endpoints: stack_endpoints.clone(),
        compose_project: compose_project.clone(),
    }
}

/// A 0.2.0 secret file: owned by root, the only owner 0.2.0 could give.
fn secret_file(file: old::SecretFile) -> next::SecretFile {
    let old::SecretFile { path, secret, mode } = file;
    next::SecretFile { path, secret, mode, owner: None, group: None }
}

fn container(container: old::Container) -> next::Container {
    let old::Container {
        name,
        image,
        build,
        entrypoint,
        command,
        environment,
        secret_environment,
        files,
        secret_files,
        user,
        ports,
        volumes,
        networks,
        healthcheck,
        restart,
    } = container;
    next::Container {
        name,
        image,
        build,
        entrypoint,
        command,
        environment,
        secret_environment,
        files: files.into_iter().map(|f| same_fields!(ContainerFile, f, { path, contents, mode })).collect(),
        secret_files: secret_files.into_iter().map(secret_file).collect(),
        user,
        ports: ports
            .into_iter()
            .map(|p| same_fields!(PublishedPort, p, { host_ip, host_port, container_port, protocol }))
            .collect(),
        volumes: volumes.into_iter().map(|v| same_fields!(VolumeMount, v, { volume, target, read_only })).collect(),
        networks,
        healthcheck: healthcheck.map(|h| {
            same_fields!(Healthcheck, h, { command, interval_seconds, timeout_seconds, retries, start_period_seconds })
        }),
        restart: match restart {
            old::RestartPolicy::No => next::RestartPolicy::No,
            old::RestartPolicy::Always => next::RestartPolicy::Always,
            old::RestartPolicy::OnFailure => next::RestartPolicy::OnFailure,
            old::RestartPolicy::UnlessStopped => next::RestartPolicy::UnlessStopped,
        },
    }
}

pub(crate) fn artifact(artifact: old::Artifact) -> next::Artifact {
    artifact_with!(artifact, {
        old::Artifact::HostFile(f) => {
            let old::HostFile { host, path, contents, mode } = f;
            A::HostFile(next::HostFile { host, path, contents, mode, owner: None, group: None })
        }
        old::Artifact::SecretFile(f) => A::SecretFile(secret_file(f)),
        old::Artifact::Container(c) => A::Container(container(c)),
        old::Artifact::ImageBuild(b) => {
            let old::ImageBuild { name, files } = b;
            let files = files.into_iter().map(|f| same_fields!(BundleFile, f, { path, contents, mode })).collect();
            A::ImageBuild(next::ImageBuild { name, files })
        }
        old::Artifact::Network(n) => A::Network(same_fields!(Network, n, { name, internal })),
        old::Artifact::Volume(v) => A::Volume(same_fields!(Volume, v, { name })),
    })
}
