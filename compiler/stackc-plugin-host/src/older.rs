//! What every older WIT version's module (`v0_1.rs`, `v0_2.rs`, `v0_3.rs`) has in common: the
//! host interface linked under its version, and the conversions of the records that no version
//! has changed so far, or that each version changes only by adding fields. Each module names its own records `old` and the next version's `next`; the
//! macros below are expanded there and resolve those names where they are expanded.

/// Moves every named field of an `old` record into the `next` record of the same name.
macro_rules! same_fields {
    ($record:ident, $value:expr, { $($field:ident),* $(,)? }) => {{
        let old::$record { $($field),* } = $value;
        next::$record { $($field),* }
    }};
}

/// `add_to_linker`, the `log` host function, and the conversions of the input of `expose` and
/// of what `describe` returns and `expose` reports, between `old` and `next`.
macro_rules! unchanged_since_0_1 {
    () => {
        /// Links this version's host interface beside the current one: the same log, another
        /// name.
        pub(crate) fn add_to_linker(
            linker: &mut wasmtime::component::Linker<crate::sandbox::HostState>,
        ) -> wasmtime::Result<()> {
            old_host::add_to_linker::<crate::sandbox::HostState, wasmtime::component::HasSelf<_>>(linker, |state| state)
        }

        impl old_host::Host for crate::sandbox::HostState {
            fn log(&mut self, level: old_host::Level, message: String) {
                let level = match level {
                    old_host::Level::Debug => crate::sandbox::Level::Debug,
                    old_host::Level::Info => crate::sandbox::Level::Info,
                    old_host::Level::Warn => crate::sandbox::Level::Warn,
                    old_host::Level::Error => crate::sandbox::Level::Error,
                };
                crate::sandbox::Host::log(self, level, message);
            }
        }

        pub(crate) fn expose_input(input: &next::ExposeInput) -> old::ExposeInput {
            old::ExposeInput { service: input.service.clone(), config: input.config.clone() }
        }

        pub(crate) fn plugin_info(info: old::PluginInfo) -> next::PluginInfo {
            let old::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints } = info;
            next::PluginInfo { name, version, summary, config_schema, wants_stack_endpoints }
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
    };
}

/// The conversion of the input of `render` from `next` to `old`, for the versions whose render
/// input has not changed since 0.2.0 added the Compose project.
macro_rules! render_input_unchanged_since_0_2 {
    () => {
        pub(crate) fn render_input(input: &next::RenderInput) -> old::RenderInput {
            let next::RenderInput { stack, service, config, hosts, stack_endpoints, compose_project } = input;
            old::RenderInput {
                stack: stack.clone(),
                service: service.clone(),
                config: config.clone(),
                hosts: hosts
                    .iter()
                    .map(|h| old::HostInfo {
                        name: h.name.clone(),
                        address: h.address.clone(),
                        groups: h.groups.clone(),
                    })
                    .collect(),
                stack_endpoints: stack_endpoints.clone(),
                compose_project: compose_project.clone(),
            }
        }
    };
}

/// The conversion of `old` exports to `next`: every endpoint field moved, and the fields `next`
/// added to endpoints given the values the arguments name.
macro_rules! exports_with {
    ({ $($added:ident: $value:expr),* $(,)? }) => {
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
                        $($added: $value),*
                    })
                    .collect(),
                facts: exports.facts.into_iter().map(|f| next::Fact { name: f.name, value: f.value }).collect(),
            }
        }
    };
}

/// The conversion of an `old` container to `next`, with its secret files converted by
/// `$secret_file` (0.3.0 gave them owners); every other field is moved.
macro_rules! container_with {
    ($container:expr, $secret_file:expr) => {{
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
        } = $container;
        next::Container {
            name,
            image,
            build,
            entrypoint,
            command,
            environment,
            secret_environment,
            files: files.into_iter().map(|f| same_fields!(ContainerFile, f, { path, contents, mode })).collect(),
            secret_files: secret_files.into_iter().map($secret_file).collect(),
            user,
            ports: ports
                .into_iter()
                .map(|p| same_fields!(PublishedPort, p, { host_ip, host_port, container_port, protocol }))
                .collect(),
            volumes: volumes
                .into_iter()
                .map(|v| same_fields!(VolumeMount, v, { volume, target, read_only }))
                .collect(),
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
    }};
}

/// The conversion of an `old` artifact to `next`: the arms given for what the version changed,
/// then the artifacts no version has changed since 0.1.0, moved field by field. The match
/// stays exhaustive, so a variant neither names fails to compile.
macro_rules! artifact_with {
    ($artifact:expr, { $($changed:tt)* }) => {{
        use next::Artifact as A;
        match $artifact {
            $($changed)*
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
            old::Artifact::HelmRelease(h) => A::HelmRelease(same_fields!(HelmRelease, h, {
                name, chart, repository, version, namespace, values
            })),
        }
    }};
}

pub(crate) use {
    artifact_with, container_with, exports_with, render_input_unchanged_since_0_2, same_fields, unchanged_since_0_1,
};
