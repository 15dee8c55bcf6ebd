//! What each service needs on which host, gathered from artifacts once for all emitters.

use std::collections::BTreeMap;

use stackc_bundle::{File, Producer};
use stackc_diag::Diagnostic;
use stackc_model::{Service, Stack};
use stackc_plugin_host::{AptRepository, Artifact, CommandCheck, HttpCheck, Process, SecretFile, SystemService};

use crate::Rendered;
use crate::order;

/// A file on a host, with the services that produced it.
pub(crate) struct HostFile<'a> {
    pub(crate) contents: &'a [u8],
    pub(crate) mode: u32,
    pub(crate) services: Vec<&'a str>,
}

/// One service, as the emitters need it.
pub(crate) struct ServicePlan<'a> {
    pub(crate) service: &'a Service,
    pub(crate) hosts: Vec<&'a str>,
    pub(crate) packages: Vec<&'a str>,
    pub(crate) repositories: Vec<&'a AptRepository>,
    pub(crate) system_services: Vec<&'a SystemService>,
    /// Host files by absolute path, with the hosts each path is installed on.
    pub(crate) files: BTreeMap<&'a str, (u32, Vec<&'a str>)>,
    pub(crate) secret_files: Vec<&'a SecretFile>,
    pub(crate) processes: Vec<&'a Process>,
    pub(crate) http_checks: Vec<&'a HttpCheck>,
    pub(crate) command_checks: Vec<&'a CommandCheck>,
}

pub(crate) struct Plan<'a> {
    pub(crate) stack: &'a Stack,
    /// Services in deploy order: a service comes after the services it references.
    pub(crate) services: Vec<ServicePlan<'a>>,
    /// host → absolute path → file.
    pub(crate) host_files: BTreeMap<&'a str, BTreeMap<&'a str, HostFile<'a>>>,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(stack: &'a Stack, rendered: &'a [Rendered], diagnostics: &mut Vec<Diagnostic>) -> Self {
        let mut host_files: BTreeMap<&str, BTreeMap<&str, HostFile<'a>>> = BTreeMap::new();
        let mut services = Vec::new();
        let by_service: BTreeMap<usize, &Rendered> = rendered.iter().map(|r| (r.service, r)).collect();
        for index in order::deploy_order(stack) {
            let Some(r) = by_service.get(&index) else { continue };
            let service = &stack.services[index];
            let hosts: Vec<&str> = service.hosts.iter().map(|&i| stack.hosts[i].name.value.as_str()).collect();
            let mut plan = ServicePlan {
                service,
                hosts: hosts.clone(),
                packages: Vec::new(),
                repositories: Vec::new(),
                system_services: Vec::new(),
                files: BTreeMap::new(),
                secret_files: Vec::new(),
                processes: Vec::new(),
                http_checks: Vec::new(),
                command_checks: Vec::new(),
            };
            for artifact in &r.artifacts {
                match artifact {
                    Artifact::HostFile(f) => {
                        let targets: Vec<&str> = match &f.host {
                            None => hosts.clone(),
                            Some(h) if hosts.contains(&h.as_str()) => vec![h.as_str()],
                            Some(h) => {
                                diagnostics.push(
                                    Diagnostic::error(
                                        "stackc::emit::host",
                                        format!(
                                            "plugin `{}` placed `{}` on `{h}`, which does not run service `{}`",
                                            r.plugin, f.path, service.name.value
                                        ),
                                    )
                                    .at(service.name.span, "in this service"),
                                );
                                continue;
                            }
                        };
                        let entry = plan.files.entry(f.path.as_str()).or_insert((f.mode, Vec::new()));
                        entry.1.extend(targets.iter().copied());
                        for host in targets {
                            place(&mut host_files, host, f, service, stack, diagnostics);
                        }
                    }
                    Artifact::SecretFile(f) => plan.secret_files.push(f),
                    Artifact::Package(p) => plan.packages.push(p),
                    Artifact::AptRepository(r) => plan.repositories.push(r),
                    Artifact::SystemService(s) => plan.system_services.push(s),
                    Artifact::Process(p) => plan.processes.push(p),
                    Artifact::HttpCheck(c) => plan.http_checks.push(c),
                    Artifact::CommandCheck(c) => plan.command_checks.push(c),
                    Artifact::BundleFile(_)
                    | Artifact::KubeObject(_)
                    | Artifact::KubeSecret(_)
                    | Artifact::HelmRelease(_) => {}
                }
            }
            plan.packages.sort_unstable();
            plan.packages.dedup();
            for (_, hosts) in plan.files.values_mut() {
                hosts.sort_unstable();
                hosts.dedup();
            }
            services.push(plan);
        }
        Plan { stack, services, host_files }
    }
}

/// Adds a file to a host's tree; two services may write one path only with identical bytes.
fn place<'a>(
    host_files: &mut BTreeMap<&'a str, BTreeMap<&'a str, HostFile<'a>>>,
    host: &'a str,
    file: &'a stackc_plugin_host::HostFile,
    service: &'a Service,
    stack: &Stack,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let tree = host_files.entry(host).or_default();
    match tree.get_mut(file.path.as_str()) {
        None => {
            tree.insert(
                &file.path,
                HostFile { contents: &file.contents, mode: file.mode, services: vec![&service.name.value] },
            );
        }
        Some(existing) if existing.contents == file.contents.as_slice() && existing.mode == file.mode => {
            existing.services.push(&service.name.value);
        }
        Some(existing) => {
            let mut diagnostic = Diagnostic::error(
                "stackc::emit::conflict",
                format!("services write different contents to `{}` on host `{host}`", file.path),
            )
            .at(service.name.span, "this service's version");
            if let Some(other) = existing.services.first().and_then(|name| stack.service(name)) {
                diagnostic = diagnostic.with_secondary(other.name.span, "conflicts with this one");
            }
            diagnostics.push(diagnostic.with_help("place the services on different hosts, or make their files agree"));
        }
    }
}

/// `services/<service>/<path>` for every bundle file.
pub(crate) fn bundle_files(stack: &Stack, rendered: &[Rendered]) -> Vec<File> {
    let mut files = Vec::new();
    for r in rendered {
        let name = &stack.services[r.service].name.value;
        for artifact in &r.artifacts {
            if let Artifact::BundleFile(f) = artifact {
                files.push(File {
                    path: format!("services/{name}/{}", f.path),
                    mode: f.mode,
                    contents: f.contents.clone(),
                    producer: Producer::Services(vec![name.clone()]),
                });
            }
        }
    }
    files
}
