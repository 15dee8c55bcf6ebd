//! Plugins built against `stackc:plugin@0.1.0`: their bindings, and the conversions between
//! their records and those of 0.2.0, the next version.
//!
//! 0.2.0 added the Compose placement (`render-input.compose-project`) and its artifacts; every
//! 0.1.0 record has a 0.2.0 one with the same fields. A 0.1.0 plugin's records go through
//! this module and then `v0_2`, one version at a time, to the current ones (see `v0_2.rs`).
//! Each conversion names every field, so that a field added to a 0.2.0 record would fail to
//! compile here until this module says what a 0.1.0 plugin gives it.

use wasmtime::component::{HasSelf, Linker};

use crate::sandbox::HostState;
use crate::v0_2::types as next;

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../plugins/stackc-plugin-sdk/wit/since_v0.1.0",
        world: "plugin",
    });
}

pub(crate) use bindings::PluginPre;
pub(crate) use bindings::exports::stackc::plugin::service_plugin::Guest as ServicePlugin;
use bindings::stackc::plugin::host::{self as old_host, Level};
use bindings::stackc::plugin::types as old;

/// The WIT package version of these bindings.
pub(crate) const VERSION: &str = "0.1.0";

/// Links the 0.1.0 host interface beside the current one: the same log, another name.
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

pub(crate) fn expose_input(input: &next::ExposeInput) -> old::ExposeInput {
    old::ExposeInput { service: input.service.clone(), config: input.config.clone() }
}

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

pub(crate) fn plugin_info(info: old::PluginInfo) -> next::PluginInfo {
    let old::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints } = info;
    next::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints }
}

pub(crate) fn exports(exports: old::Exports) -> next::Exports {
    next::Exports {
        endpoints: exports
            .endpoints
            .into_iter()
            .map(|e| next::Endpoint {
                name: e.name,
                port: e.port,
                protocol: e.protocol,
                path: e.path,
                role: match e.role {
                    old::EndpointRole::Service => next::EndpointRole::Service,
                    old::EndpointRole::Metrics => next::EndpointRole::Metrics,
                    old::EndpointRole::Status => next::EndpointRole::Status,
                    old::EndpointRole::Peer => next::EndpointRole::Peer,
                },
            })
            .collect(),
        facts: exports.facts.into_iter().map(|f| next::Fact { name: f.name, value: f.value }).collect(),
    }
}

pub(crate) fn problems(problems: Vec<old::ConfigDiagnostic>) -> Vec<next::ConfigDiagnostic> {
    problems
        .into_iter()
        .map(|p| next::ConfigDiagnostic {
            message: p.message,
            path: p.path,
            target: match p.target {
                old::DiagnosticTarget::Key => next::DiagnosticTarget::Key,
                old::DiagnosticTarget::Value => next::DiagnosticTarget::Value,
            },
            help: p.help,
        })
        .collect()
}

/// Moves every named field of a 0.1.0 record into the 0.2.0 record of the same name.
macro_rules! same_fields {
    ($record:ident, $value:expr, { $($field:ident),* $(,)? }) => {{
        let old::$record { $($field),* } = $value;
        next::$record { $($field),* }
    }};
}

pub(crate) fn artifact(artifact: old::Artifact) -> next::Artifact {
    use next::Artifact as A;
    match artifact {
        old::Artifact::HostFile(f) => A::HostFile(same_fields!(HostFile, f, { host, path, contents, mode })),
        old::Artifact::SecretFile(f) => A::SecretFile(same_fields!(SecretFile, f, { path, secret, mode })),
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
                old::Supervisor::Systemd => next::Supervisor::Systemd,
                old::Supervisor::Daemontools => next::Supervisor::Daemontools,
            };
            A::Process(next::Process {
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
    }
}
