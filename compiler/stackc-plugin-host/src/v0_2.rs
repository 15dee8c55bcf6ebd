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

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::stackc::plugin::types as current;
use crate::sandbox::HostState;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.2.0",
        world: "plugin",
    });
}

pub(crate) use bindings::PluginPre;
pub(crate) use bindings::exports::stackc::plugin::service_plugin::Guest as ServicePlugin;
use bindings::stackc::plugin::host::{self as old_host, Level};
/// The 0.2.0 records, which `v0_1` converts into.
pub(crate) use bindings::stackc::plugin::types;
use bindings::stackc::plugin::types as old;

/// The WIT package version of these bindings.
pub(crate) const VERSION: &str = "0.2.0";

/// Links the 0.2.0 host interface beside the current one: the same log, another name.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    old_host::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)
}

impl old_host::Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        let level = match level {
            Level::Debug => crate::sandbox::Level::Debug,
            Level::Info => crate::sandbox::Level::Info,
            Level::Warn => crate::sandbox::Level::Warn,
            Level::Error => crate::sandbox::Level::Error,
        };
        crate::sandbox::Host::log(self, level, message);
    }
}

pub(crate) fn expose_input(input: &current::ExposeInput) -> old::ExposeInput {
    old::ExposeInput { service: input.service.clone(), config: input.config.clone() }
}

pub(crate) fn render_input(input: &current::RenderInput) -> old::RenderInput {
    let current::RenderInput { stack, service, config, hosts, stack_endpoints, compose_project } = input;
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

pub(crate) fn plugin_info(info: old::PluginInfo) -> current::PluginInfo {
    let old::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints } = info;
    current::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints }
}

pub(crate) fn exports(exports: old::Exports) -> current::Exports {
    current::Exports {
        endpoints: exports
            .endpoints
            .into_iter()
            .map(|e| current::Endpoint {
                name: e.name,
                port: e.port,
                protocol: e.protocol,
                path: e.path,
                role: match e.role {
                    old::EndpointRole::Service => current::EndpointRole::Service,
                    old::EndpointRole::Metrics => current::EndpointRole::Metrics,
                    old::EndpointRole::Status => current::EndpointRole::Status,
                    old::EndpointRole::Peer => current::EndpointRole::Peer,
                },
            })
            .collect(),
        facts: exports.facts.into_iter().map(|f| current::Fact { name: f.name, value: f.value }).collect(),
    }
}

pub(crate) fn problems(problems: Vec<old::ConfigDiagnostic>) -> Vec<current::ConfigDiagnostic> {
    problems
        .into_iter()
        .map(|p| current::ConfigDiagnostic {
            message: p.message,
            path: p.path,
            target: match p.target {
                old::DiagnosticTarget::Key => current::DiagnosticTarget::Key,
                old::DiagnosticTarget::Value => current::DiagnosticTarget::Value,
            },
            help: p.help,
        })
        .collect()
}

/// Moves every named field of a 0.2.0 record into the current record of the same name.
macro_rules! same_fields {
    ($record:ident, $value:expr, { $($field:ident),* $(,)? }) => {{
        let old::$record { $($field),* } = $value;
        current::$record { $($field),* }
    }};
}

/// A 0.2.0 secret file: owned by root, the only owner 0.2.0 could give.
fn secret_file(file: old::SecretFile) -> current::SecretFile {
    let old::SecretFile { path, secret, mode } = file;
    current::SecretFile { path, secret, mode, owner: None, group: None }
}

fn container(container: old::Container) -> current::Container {
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
    current::Container {
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
            old::RestartPolicy::No => current::RestartPolicy::No,
            old::RestartPolicy::Always => current::RestartPolicy::Always,
            old::RestartPolicy::OnFailure => current::RestartPolicy::OnFailure,
            old::RestartPolicy::UnlessStopped => current::RestartPolicy::UnlessStopped,
        },
    }
}

pub(crate) fn artifact(artifact: old::Artifact) -> current::Artifact {
    use current::Artifact as A;
    match artifact {
        old::Artifact::HostFile(f) => {
            let old::HostFile { host, path, contents, mode } = f;
            A::HostFile(current::HostFile { host, path, contents, mode, owner: None, group: None })
        }
        old::Artifact::SecretFile(f) => A::SecretFile(secret_file(f)),
        old::Artifact::Package(name) => A::Package(name),
        old::Artifact::AptRepository(r) => {
            A::AptRepository(same_fields!(AptRepository, r, { name, uris, suites, components, signed_by }))
        }
        old::Artifact::SystemService(s) => A::SystemService(same_fields!(SystemService, s, { name, reload })),
        old::Artifact::Process(p) => {
            let old::Process {
                name,
                command,
                user,
                working_directory,
                environment,
                supervisor,
                log_files,
                log_max_bytes,
            } = p;
            let supervisor = match supervisor {
                old::Supervisor::Systemd => current::Supervisor::Systemd,
                old::Supervisor::Daemontools => current::Supervisor::Daemontools,
            };
            A::Process(current::Process {
                name,
                command,
                user,
                working_directory,
                environment,
                supervisor,
                log_files,
                log_max_bytes,
            })
        }
        old::Artifact::HttpCheck(c) => A::HttpCheck(same_fields!(HttpCheck, c, { name, url, status, insecure })),
        old::Artifact::CommandCheck(c) => A::CommandCheck(same_fields!(CommandCheck, c, { name, command })),
        old::Artifact::BundleFile(f) => A::BundleFile(same_fields!(BundleFile, f, { path, contents, mode })),
        old::Artifact::KubeObject(o) => A::KubeObject(same_fields!(KubeObject, o, { name, yaml })),
        old::Artifact::KubeSecret(s) => A::KubeSecret(same_fields!(KubeSecret, s, { name, namespace, entries })),
        old::Artifact::HelmRelease(h) => {
            A::HelmRelease(same_fields!(HelmRelease, h, { name, chart, repository, version, namespace, values }))
        }
        old::Artifact::Container(c) => A::Container(container(c)),
        old::Artifact::ImageBuild(b) => {
            let old::ImageBuild { name, files } = b;
            let files = files.into_iter().map(|f| same_fields!(BundleFile, f, { path, contents, mode })).collect();
            A::ImageBuild(current::ImageBuild { name, files })
        }
        old::Artifact::Network(n) => A::Network(same_fields!(Network, n, { name, internal })),
        old::Artifact::Volume(v) => A::Volume(same_fields!(Volume, v, { name })),
    }
}
