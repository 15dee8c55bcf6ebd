//! Glue between the generated bindings and [`Plugin`]. Used by [`register_plugin!`]; not
//! part of the API.
//!
//! [`register_plugin!`]: crate::register_plugin

use crate::bindings::stackc::plugin::types as wit;
use crate::config;
use crate::error::{ConfigError, Target};
use crate::plugin::Plugin;
use crate::types::{Artifact, EndpointRole, Exports, HostInfo, RenderContext, Supervisor};

/// The pre-initialization export's work: whatever every call would otherwise do first.
pub fn preinitialize<P: Plugin>() {
    install_panic_hook();
    P::templates().parse();
}

pub fn describe<P: Plugin>() -> wit::PluginInfo {
    install_panic_hook();
    let schema = schemars::schema_for!(P::Config);
    wit::PluginInfo {
        name: P::NAME.to_owned(),
        version: P::VERSION.to_owned(),
        summary: P::SUMMARY.to_owned(),
        config_schema: serde_json::to_string(&schema).unwrap_or_default(),
        wants_stack_endpoints: P::WANTS_STACK_ENDPOINTS,
    }
}

pub fn expose<P: Plugin>(input: wit::ExposeInput) -> Result<wit::Exports, Vec<wit::ConfigDiagnostic>> {
    install_panic_hook();
    let config: P::Config = config::parse(&input.config).map_err(diagnostics)?;
    P::expose(&config).map(exports).map_err(diagnostics)
}

pub fn render<P: Plugin>(input: wit::RenderInput) -> Result<Vec<wit::Artifact>, Vec<wit::ConfigDiagnostic>> {
    install_panic_hook();
    let config: P::Config = config::parse(&input.config).map_err(diagnostics)?;
    let stack_endpoints = serde_json::from_str(&input.stack_endpoints)
        .map_err(|e| diagnostics(vec![ConfigError::service(format!("the host passed malformed endpoints: {e}"))]))?;
    let context = RenderContext {
        stack: input.stack,
        service: input.service,
        hosts: input
            .hosts
            .into_iter()
            .map(|h| HostInfo { name: h.name, address: h.address, groups: h.groups })
            .collect(),
        stack_endpoints,
    };
    P::render(&config, &context).map(|artifacts| artifacts.into_iter().map(artifact).collect()).map_err(diagnostics)
}

/// Sends panic messages to the host's log before the trap, so the user sees the message
/// rather than "wasm trap: unreachable".
fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    std::panic::set_hook(Box::new(|info| {
        use crate::bindings::stackc::plugin::host::{Level, log};
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        log(Level::Error, &format!("panicked{location}: {message}"));
    }));
}

fn diagnostics(errors: Vec<ConfigError>) -> Vec<wit::ConfigDiagnostic> {
    errors
        .into_iter()
        .map(|e| wit::ConfigDiagnostic {
            message: e.message,
            path: e.path,
            target: match e.target {
                Target::Key => wit::DiagnosticTarget::Key,
                Target::Value => wit::DiagnosticTarget::Value,
            },
            help: e.help,
        })
        .collect()
}

fn exports(exports: Exports) -> wit::Exports {
    wit::Exports {
        endpoints: exports
            .endpoints
            .into_iter()
            .map(|e| wit::Endpoint {
                name: e.name,
                port: e.port,
                protocol: e.protocol,
                path: e.path,
                role: match e.role {
                    EndpointRole::Service => wit::EndpointRole::Service,
                    EndpointRole::Metrics => wit::EndpointRole::Metrics,
                    EndpointRole::Status => wit::EndpointRole::Status,
                    EndpointRole::Peer => wit::EndpointRole::Peer,
                },
            })
            .collect(),
        facts: exports.facts.into_iter().map(|f| wit::Fact { name: f.name, value: f.value }).collect(),
    }
}

fn artifact(artifact: Artifact) -> wit::Artifact {
    match artifact {
        Artifact::HostFile(f) => {
            wit::Artifact::HostFile(wit::HostFile { host: f.host, path: f.path, contents: f.contents, mode: f.mode })
        }
        Artifact::SecretFile(f) => {
            wit::Artifact::SecretFile(wit::SecretFile { path: f.path, secret: f.secret, mode: f.mode })
        }
        Artifact::Package(p) => wit::Artifact::Package(p),
        Artifact::AptRepository(r) => wit::Artifact::AptRepository(wit::AptRepository {
            name: r.name,
            uris: r.uris,
            suites: r.suites,
            components: r.components,
            signed_by: r.signed_by,
        }),
        Artifact::SystemService(s) => {
            wit::Artifact::SystemService(wit::SystemService { name: s.name, reload: s.reload })
        }
        Artifact::Process(p) => wit::Artifact::Process(wit::Process {
            name: p.name,
            command: p.command,
            user: p.user,
            working_directory: p.working_directory,
            environment: p.environment,
            supervisor: match p.supervisor {
                Supervisor::Systemd => wit::Supervisor::Systemd,
                Supervisor::Daemontools => wit::Supervisor::Daemontools,
            },
            log_files: p.log_files,
            log_max_bytes: p.log_max_bytes,
        }),
        Artifact::HttpCheck(c) => wit::Artifact::HttpCheck(wit::HttpCheck {
            name: c.name,
            url: c.url,
            status: c.status,
            insecure: c.insecure,
        }),
        Artifact::CommandCheck(c) => {
            wit::Artifact::CommandCheck(wit::CommandCheck { name: c.name, command: c.command })
        }
        Artifact::BundleFile(f) => {
            wit::Artifact::BundleFile(wit::BundleFile { path: f.path, contents: f.contents, mode: f.mode })
        }
        Artifact::KubeObject(o) => wit::Artifact::KubeObject(wit::KubeObject { name: o.name, yaml: o.yaml }),
        Artifact::KubeSecret(s) => {
            wit::Artifact::KubeSecret(wit::KubeSecret { name: s.name, namespace: s.namespace, entries: s.entries })
        }
        Artifact::HelmRelease(r) => wit::Artifact::HelmRelease(wit::HelmRelease {
            name: r.name,
            chart: r.chart,
            repository: r.repository,
            version: r.version,
            namespace: r.namespace,
            values: r.values,
        }),
    }
}
