//! What each service needs on which host and in the cluster, gathered once from its artifacts
//! and the supervision of its processes for every emitter, and checked once: emitters only
//! lay out what the plan holds, so every problem is reported here.

mod checks;
pub(crate) mod compose;

use std::collections::{BTreeMap, BTreeSet};

use stackc_bundle::Producer;
use stackc_diag::Diagnostic;
use stackc_model::{Placement, SecretSource, Service, Stack};
use stackc_plugin_host::{
    Account, AptRepository, Artifact, CommandCheck, Container, HelmRelease, HttpCheck, ImageBuild, KubeObject, Network,
    TrafficGate, Volume,
};

use crate::Rendered;
use crate::host_work::{Handler, OwnedDirectory, Restart, Start, Trigger};
use crate::order;
use crate::supervise::Supervision;

/// A file on a host, with the services that produced it.
pub(crate) struct HostFile<'a> {
    pub(crate) contents: &'a [u8],
    pub(crate) mode: u32,
    pub(crate) owner: Owner<'a>,
    pub(crate) services: Vec<&'a str>,
}

/// Where the deploy tool finds a secret's value when it runs; the only sources a file it
/// writes can be filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeploySecret<'a> {
    /// An Ansible Vault variable.
    Vault(&'a str),
    /// An environment variable of the deploying process.
    Env(&'a str),
}

/// A host file filled from a secret at deploy time.
pub(crate) struct SecretFile<'a> {
    pub(crate) path: &'a str,
    pub(crate) mode: u32,
    pub(crate) owner: Owner<'a>,
    pub(crate) secret: DeploySecret<'a>,
}

/// Who owns a file on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Owner<'a> {
    pub(crate) user: &'a str,
    pub(crate) group: &'a str,
}

impl<'a> Owner<'a> {
    pub(crate) const ROOT: Owner<'static> = Owner { user: "root", group: "root" };

    fn of(user: &'a Option<String>, group: &'a Option<String>) -> Self {
        Owner { user: user.as_deref().unwrap_or("root"), group: group.as_deref().unwrap_or("root") }
    }
}

/// A file of a service, as the deploy tool installs it.
pub(crate) struct PlannedFile<'a> {
    pub(crate) mode: u32,
    pub(crate) owner: Owner<'a>,
    /// The hosts it is installed on, sorted.
    pub(crate) hosts: Vec<&'a str>,
}

/// A Kubernetes Secret created at deploy time.
pub(crate) struct KubeSecret<'a> {
    pub(crate) name: &'a str,
    pub(crate) namespace: &'a str,
    /// Data key → where its value comes from.
    pub(crate) entries: Vec<(&'a str, DeploySecret<'a>)>,
}

/// One service, as the emitters need it.
pub(crate) struct ServicePlan<'a> {
    pub(crate) service: &'a Service,
    pub(crate) hosts: Vec<&'a str>,
    /// Sorted, without duplicates.
    pub(crate) packages: Vec<&'a str>,
    pub(crate) repositories: Vec<&'a AptRepository>,
    /// Host files by absolute path.
    pub(crate) files: BTreeMap<&'a str, PlannedFile<'a>>,
    pub(crate) secret_files: Vec<SecretFile<'a>>,
    /// System accounts to create.
    pub(crate) accounts: BTreeSet<&'a str>,
    /// People's login accounts, in the plugin's order.
    pub(crate) logins: Vec<&'a Account>,
    /// How this service lets others be updated a host at a time (see [`Plan::gates`]).
    pub(crate) gates: Vec<&'a TrafficGate>,
    pub(crate) directories: Vec<&'a OwnedDirectory>,
    /// Packaged services first, then supervised processes.
    pub(crate) starts: Vec<Start>,
    /// In the order of `starts`.
    pub(crate) handlers: Vec<Handler>,
    pub(crate) http_checks: Vec<&'a HttpCheck>,
    pub(crate) command_checks: Vec<&'a CommandCheck>,
    pub(crate) kube_objects: Vec<&'a KubeObject>,
    pub(crate) kube_secrets: Vec<KubeSecret<'a>>,
    pub(crate) helm_releases: Vec<&'a HelmRelease>,
    /// In the plugin's order, for a service of the Compose project.
    pub(crate) containers: Vec<&'a Container>,
    pub(crate) image_builds: Vec<&'a ImageBuild>,
    pub(crate) networks: Vec<&'a Network>,
    pub(crate) volumes: Vec<&'a Volume>,
    /// Its plugin rendered artifacts that cannot be where the service is (already reported).
    pub(crate) misplaced: bool,
}

impl ServicePlan<'_> {
    /// Whether the host playbook has a step for the service.
    pub(crate) fn deploys_to_hosts(&self) -> bool {
        !self.hosts.is_empty()
            && (!self.files.is_empty()
                || !self.packages.is_empty()
                || !self.secret_files.is_empty()
                || !self.logins.is_empty()
                || !self.starts.is_empty())
    }

    /// Whether the service asks the cluster for anything.
    pub(crate) fn deploys_to_cluster(&self) -> bool {
        !self.kube_objects.is_empty() || !self.kube_secrets.is_empty() || !self.helm_releases.is_empty()
    }
}

/// A deploy target: the emitter a file outside every service belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Ansible,
    Kubernetes,
    Compose,
}

impl Target {
    pub(crate) fn producer(self) -> Producer {
        let name = match self {
            Target::Ansible => "ansible",
            Target::Kubernetes => "kubernetes",
            Target::Compose => "compose",
        };
        Producer::Target(name.to_owned())
    }
}

/// The example Vault layout: the stack's Vault variables, shipped by the first target whose
/// playbook reads them (the host playbook when there is one).
pub(crate) struct VaultExample<'a> {
    pub(crate) target: Target,
    pub(crate) variables: BTreeSet<&'a str>,
}

pub(crate) struct Plan<'a> {
    pub(crate) stack: &'a Stack,
    /// Services in deploy order: a service comes after the services it references.
    pub(crate) services: Vec<ServicePlan<'a>>,
    /// host → absolute path → file.
    pub(crate) host_files: BTreeMap<&'a str, BTreeMap<&'a str, HostFile<'a>>>,
    pub(crate) vault_example: Option<VaultExample<'a>>,
    /// The Compose project, when services are placed on it.
    pub(crate) compose: Option<compose::ComposePlan<'a>>,
}

impl<'a> Plan<'a> {
    /// The plan of `rendered` (one entry per service) with the supervision of their processes.
    pub(crate) fn new(
        stack: &'a Stack,
        rendered: &'a [Rendered],
        supervised: &'a BTreeMap<usize, Vec<Supervision>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut host_files = BTreeMap::new();
        let by_service: BTreeMap<usize, &Rendered> = rendered.iter().map(|r| (r.service, r)).collect();
        let mut services = Vec::new();
        for index in order::deploy_order(stack) {
            let Some(r) = by_service.get(&index) else { continue };
            let supervision = supervised.get(&index).map_or(&[][..], Vec::as_slice);
            services.push(gather(stack, r, supervision, &mut host_files, diagnostics));
        }
        checks::kube_names(&services, diagnostics);
        checks::traffic_gates(&services, diagnostics);
        let deploys_to_hosts = services.iter().any(ServicePlan::deploys_to_hosts);
        if deploys_to_hosts {
            checks::container_subnets(stack, diagnostics);
            checks::label_names(stack, diagnostics);
        }
        let target = if deploys_to_hosts {
            Some(Target::Ansible)
        } else {
            services.iter().any(ServicePlan::deploys_to_cluster).then_some(Target::Kubernetes)
        };
        let variables: BTreeSet<&str> = stack
            .secrets
            .iter()
            .filter_map(|s| match &s.source {
                SecretSource::Vault { variable } => Some(variable.as_str()),
                _ => None,
            })
            .collect();
        let vault_example = target.filter(|_| !variables.is_empty()).map(|target| VaultExample { target, variables });
        let compose = compose::ComposePlan::new(stack, &services, diagnostics);
        Plan { stack, services, host_files, vault_example, compose }
    }

    /// The traffic gates by the service whose hosts they drain, each with the service that
    /// declared it, whose hosts run its commands.
    pub(crate) fn gates(&self) -> BTreeMap<&'a str, Vec<(&'a TrafficGate, &ServicePlan<'a>)>> {
        let mut gates: BTreeMap<&'a str, Vec<_>> = BTreeMap::new();
        for s in &self.services {
            for &gate in &s.gates {
                gates.entry(gate.service.as_str()).or_default().push((gate, s));
            }
        }
        gates
    }
}

/// One service's plan; its host files also go into `host_files`.
fn gather<'a>(
    stack: &'a Stack,
    r: &'a Rendered,
    supervision: &'a [Supervision],
    host_files: &mut BTreeMap<&'a str, BTreeMap<&'a str, HostFile<'a>>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ServicePlan<'a> {
    let service = &stack.services[r.service];
    let hosts: Vec<&str> = service.hosts.iter().map(|&i| stack.hosts[i].name.value.as_str()).collect();
    let mut plan = ServicePlan {
        service,
        hosts: hosts.clone(),
        packages: Vec::new(),
        repositories: Vec::new(),
        files: BTreeMap::new(),
        secret_files: Vec::new(),
        accounts: BTreeSet::new(),
        logins: Vec::new(),
        gates: Vec::new(),
        directories: Vec::new(),
        starts: Vec::new(),
        handlers: Vec::new(),
        http_checks: Vec::new(),
        command_checks: Vec::new(),
        kube_objects: Vec::new(),
        kube_secrets: Vec::new(),
        helm_releases: Vec::new(),
        containers: Vec::new(),
        image_builds: Vec::new(),
        networks: Vec::new(),
        volumes: Vec::new(),
        misplaced: false,
    };
    let in_compose = matches!(service.placement, Placement::Compose(_));
    let mut misplaced_kinds = BTreeSet::new();
    for artifact in &r.artifacts {
        if let Some(kind) = misplaced(artifact, in_compose) {
            misplaced_kinds.insert(kind);
            continue;
        }
        match artifact {
            Artifact::HostFile(f) => add_file(&mut plan, f, &r.plugin, stack, host_files, diagnostics),
            // A host file can only be filled where the service has hosts.
            Artifact::SecretFile(f) if !hosts.is_empty() => {
                checks::owner(service, &r.plugin, &f.path, &f.owner, &f.group, diagnostics);
                if let Some(secret) = checks::host_secret(stack, service, &f.secret, diagnostics) {
                    let owner = Owner::of(&f.owner, &f.group);
                    plan.secret_files.push(SecretFile { path: &f.path, mode: f.mode, owner, secret });
                }
            }
            Artifact::Package(p) => plan.packages.push(p),
            Artifact::AptRepository(r) => plan.repositories.push(r),
            Artifact::SystemService(s) => {
                plan.starts.push(Start::Unit { label: s.name.clone(), unit: s.name.clone(), daemon_reload: false });
                let restart = |trigger| Handler {
                    name: format!("Restart {}", s.name),
                    action: Restart::Unit { unit: s.name.clone(), reload: false, daemon_reload: false },
                    trigger,
                };
                if s.reload {
                    plan.handlers.push(Handler {
                        name: format!("Reload {}", s.name),
                        action: Restart::Unit { unit: s.name.clone(), reload: true, daemon_reload: false },
                        trigger: Trigger::Files,
                    });
                    plan.handlers.push(restart(Trigger::Install));
                } else {
                    plan.handlers.push(restart(Trigger::FilesAndInstall));
                }
            }
            Artifact::HttpCheck(c) => plan.http_checks.push(c),
            Artifact::CommandCheck(c) => plan.command_checks.push(c),
            Artifact::KubeObject(o) => plan.kube_objects.push(o),
            Artifact::KubeSecret(k) => plan.kube_secrets.push(KubeSecret {
                name: &k.name,
                namespace: &k.namespace,
                entries: k
                    .entries
                    .iter()
                    .filter_map(|(key, name)| {
                        Some((key.as_str(), checks::kube_secret_entry(stack, service, &k.name, name, diagnostics)?))
                    })
                    .collect(),
            }),
            Artifact::HelmRelease(h) => {
                checks::pinned_chart(service, h, diagnostics);
                plan.helm_releases.push(h);
            }
            Artifact::Container(c) => plan.containers.push(c),
            Artifact::ImageBuild(b) => plan.image_builds.push(b),
            Artifact::Network(n) => plan.networks.push(n),
            Artifact::Volume(v) => plan.volumes.push(v),
            Artifact::Account(a) => {
                checks::account(service, &r.plugin, a, diagnostics);
                plan.logins.push(a);
            }
            Artifact::TrafficGate(g) => plan.gates.push(g),
            // A secret file goes nowhere without hosts; processes arrive as `supervision`;
            // bundle files are not the plan's.
            Artifact::SecretFile(_) | Artifact::Process(_) | Artifact::BundleFile(_) => {}
        }
    }
    if !misplaced_kinds.is_empty() {
        plan.misplaced = true;
        diagnostics.push(compose::misplaced(stack, service, &r.plugin, &misplaced_kinds));
    }
    // Packaged services start before supervised processes, which may need them. (A Compose
    // service's processes were refused above.)
    for s in supervision.iter().filter(|_| !in_compose) {
        for f in &s.files {
            add_file(&mut plan, f, &r.plugin, stack, host_files, diagnostics);
        }
        plan.packages.extend(s.packages.iter().copied());
        plan.accounts.extend(s.accounts.iter().map(String::as_str));
        plan.directories.extend(&s.directories);
        plan.starts.extend(s.starts.iter().cloned());
        plan.handlers.push(s.handler.clone());
    }
    plan.packages.sort_unstable();
    plan.packages.dedup();
    for file in plan.files.values_mut() {
        file.hosts.sort_unstable();
        file.hosts.dedup();
    }
    plan
}

/// What kind of artifact `artifact` is, if it cannot be where the service is: host and
/// cluster artifacts of a service of the Compose project, Compose artifacts of any other.
fn misplaced(artifact: &Artifact, in_compose: bool) -> Option<&'static str> {
    let (kind, for_compose) = match artifact {
        Artifact::HostFile(_) => ("host files", false),
        Artifact::SecretFile(_) => ("host secret files", false),
        Artifact::Package(_) | Artifact::AptRepository(_) => ("packages", false),
        Artifact::SystemService(_) => ("system services", false),
        Artifact::Account(_) => ("login accounts", false),
        Artifact::TrafficGate(_) => ("traffic gates", false),
        Artifact::Process(_) => ("processes", false),
        Artifact::HttpCheck(_) | Artifact::CommandCheck(_) => ("host checks", false),
        Artifact::KubeObject(_) | Artifact::KubeSecret(_) => ("Kubernetes objects", false),
        Artifact::HelmRelease(_) => ("Helm releases", false),
        Artifact::Container(_) | Artifact::ImageBuild(_) | Artifact::Network(_) | Artifact::Volume(_) => {
            ("containers", true)
        }
        Artifact::BundleFile(_) => return None,
    };
    (for_compose != in_compose).then_some(kind)
}

/// Adds a file to the service's files and to the trees of the hosts it goes to.
fn add_file<'a>(
    plan: &mut ServicePlan<'a>,
    file: &'a stackc_plugin_host::HostFile,
    plugin: &str,
    stack: &'a Stack,
    host_files: &mut BTreeMap<&'a str, BTreeMap<&'a str, HostFile<'a>>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let service = plan.service;
    let targets: Vec<&'a str> = match &file.host {
        None => plan.hosts.clone(),
        Some(h) if plan.hosts.contains(&h.as_str()) => vec![h.as_str()],
        Some(h) => {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::emit::host",
                    format!(
                        "plugin `{plugin}` placed `{}` on `{h}`, which does not run service `{}`",
                        file.path, service.name.value
                    ),
                )
                .at(service.name.span, "in this service"),
            );
            return;
        }
    };
    checks::owner(service, plugin, &file.path, &file.owner, &file.group, diagnostics);
    let owner = Owner::of(&file.owner, &file.group);
    let entry =
        plan.files.entry(file.path.as_str()).or_insert(PlannedFile { mode: file.mode, owner, hosts: Vec::new() });
    entry.hosts.extend(targets.iter().copied());
    for host in targets {
        place(host_files, host, file, service, stack, diagnostics);
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
                HostFile {
                    contents: &file.contents,
                    mode: file.mode,
                    owner: Owner::of(&file.owner, &file.group),
                    services: vec![&service.name.value],
                },
            );
        }
        Some(existing)
            if existing.contents == file.contents.as_slice()
                && existing.mode == file.mode
                && existing.owner == Owner::of(&file.owner, &file.group) =>
        {
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
