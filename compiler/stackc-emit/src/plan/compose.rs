//! The Compose project: the containers, image builds, networks and volumes of the services
//! placed on it, gathered and checked once for the `compose` emitter.
//!
//! What is checked, each problem at the service whose plugin caused it:
//! - every service on the project has a container of its own name: references to the
//!   service resolve to that name, its address on the project's networks;
//! - container, image build and volume names are the service's own name or start with it
//!   (`db`, `db-exporter`), so no two services can take the same one;
//! - no container runs as root;
//! - a container's image build and volumes are its own service's, its networks are declared by
//!   some service, and services that declare one network agree on whether it is internal;
//! - secrets come from the environment (`env=`): Compose reads them from `.env`, which the
//!   bundle describes (`.env.example`) and never contains;
//! - no two containers publish the same port.

use std::collections::{BTreeMap, BTreeSet};

use stackc_diag::Diagnostic;
use stackc_model::{Placement, SecretSource, Service, Stack};
use stackc_plugin_host::{Container, ImageBuild};

use super::ServicePlan;

/// The project, as the emitter lays it out.
pub(crate) struct ComposePlan<'a> {
    pub(crate) name: &'a str,
    /// The services on the project, in deploy order.
    pub(crate) services: Vec<ComposeService<'a>>,
    /// Network name → whether it is internal.
    pub(crate) networks: BTreeMap<&'a str, bool>,
    pub(crate) volumes: BTreeSet<&'a str>,
    /// Stack secret name → the variable of `.env` it comes from, for every secret a container
    /// uses.
    pub(crate) secrets: BTreeMap<&'a str, &'a str>,
}

/// One service on the project.
pub(crate) struct ComposeService<'a> {
    pub(crate) name: &'a str,
    /// In the plugin's order.
    pub(crate) containers: Vec<&'a Container>,
    pub(crate) builds: Vec<&'a ImageBuild>,
    /// The containers of the services this one references, which its containers start after;
    /// `true` when that container has a healthcheck, so the wait is for it to be healthy.
    pub(crate) after: Vec<(&'a str, bool)>,
}

impl<'a> ComposePlan<'a> {
    /// `None` when the stack declares no project or places nothing on it.
    pub(crate) fn new(
        stack: &'a Stack,
        services: &[ServicePlan<'a>],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Self> {
        let project = stack.compose.as_ref()?;
        let on_project: Vec<&ServicePlan<'a>> =
            services.iter().filter(|s| matches!(s.service.placement, Placement::Compose(_))).collect();
        if on_project.is_empty() {
            return None;
        }
        let mut checks = Checks { stack, diagnostics, taken: BTreeMap::new(), published: BTreeMap::new() };
        let networks = checks.networks(&on_project);
        let mut plan = ComposePlan {
            name: &project.name.value,
            services: Vec::new(),
            networks,
            volumes: BTreeSet::new(),
            secrets: BTreeMap::new(),
        };
        for s in &on_project {
            checks.service(s, &mut plan);
        }
        // Waits are known once every service's containers are.
        let healthy: BTreeMap<&str, bool> = plan
            .services
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| (c.name.as_str(), c.healthcheck.is_some())))
            .collect();
        let index = stack.service_index();
        for s in &mut plan.services {
            let service = &stack.services[index[s.name]];
            let mut referenced: Vec<&str> = service.config.references().iter().map(|r| r.service.as_str()).collect();
            referenced.sort_unstable();
            referenced.dedup();
            s.after = referenced
                .into_iter()
                .filter(|name| *name != s.name)
                .filter_map(|name| healthy.get_key_value(name).map(|(name, healthy)| (*name, *healthy)))
                .collect();
        }
        Some(plan)
    }
}

/// The checks, with what they have seen so far across services.
struct Checks<'a, 'd> {
    stack: &'a Stack,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// Container, build and volume names (by kind) → the service that took them.
    taken: BTreeMap<(&'static str, &'a str), &'a str>,
    /// (address, port, protocol) → the container that publishes it.
    published: BTreeMap<(Option<&'a str>, u16, &'a str), &'a str>,
}

impl<'a> Checks<'a, '_> {
    fn error(&mut self, service: &Service, message: String, help: impl Into<String>) {
        self.diagnostics.push(
            Diagnostic::error("stackc::emit::compose", message)
                .at(service.name.span, "in this service")
                .with_help(help.into()),
        );
    }

    /// Every declared network: the stack's own, then those services declare, which must
    /// agree with the first declaration of their name.
    fn networks(&mut self, services: &[&ServicePlan<'a>]) -> BTreeMap<&'a str, bool> {
        let mut networks: BTreeMap<&'a str, (bool, &'a str)> = BTreeMap::new();
        for n in self.stack.compose.iter().flat_map(|c| &c.networks) {
            networks.insert(&n.name.value, (n.internal, "the stack"));
        }
        for s in services {
            for n in &s.networks {
                let service = &s.service.name.value;
                match networks.get(n.name.as_str()) {
                    None => {
                        networks.insert(&n.name, (n.internal, service));
                    }
                    Some(&(internal, first)) if internal != n.internal => self.error(
                        s.service,
                        format!(
                            "{} and `{service}` disagree on whether network `{}` is internal",
                            if first == "the stack" { first.to_owned() } else { format!("services `{first}`") },
                            n.name
                        ),
                        "give the two networks different names, or make both internal",
                    ),
                    Some(_) => {}
                }
            }
        }
        networks.into_iter().map(|(name, (internal, _))| (name, internal)).collect()
    }

    fn service(&mut self, s: &ServicePlan<'a>, plan: &mut ComposePlan<'a>) {
        let service = s.service;
        let name = service.name.value.as_str();
        if !s.misplaced && !s.containers.iter().any(|c| c.name == name) {
            self.error(
                service,
                format!("plugin `{}` rendered no container named `{name}`", service.plugin.value),
                "references to a service of the Compose project reach the container of its name; \
                 is this plugin meant for Compose?",
            );
        }
        for b in &s.image_builds {
            self.owned(service, "image build", &b.name);
            if !b.files.iter().any(|f| f.path == "Dockerfile") {
                self.error(service, format!("image build `{}` has no `Dockerfile`", b.name), "add one to its files");
            }
        }
        let volumes: BTreeSet<&str> = s.volumes.iter().map(|v| v.name.as_str()).collect();
        for v in &s.volumes {
            self.owned(service, "volume", &v.name);
            plan.volumes.insert(&v.name);
        }
        for c in &s.containers {
            self.container(s, c, &volumes, plan);
        }
        plan.services.push(ComposeService {
            name,
            containers: s.containers.clone(),
            builds: s.image_builds.clone(),
            after: Vec::new(),
        });
    }

    fn container(
        &mut self,
        s: &ServicePlan<'a>,
        c: &'a Container,
        volumes: &BTreeSet<&str>,
        plan: &mut ComposePlan<'a>,
    ) {
        let service = s.service;
        self.owned(service, "container", &c.name);
        if runs_as_root(&c.user) {
            self.error(
                service,
                format!("container `{}` runs as root (user `{}`)", c.name, c.user),
                "set a non-root user, e.g. the image's own (`postgres`) or `uid:gid`",
            );
        }
        if let Some(build) = &c.build
            && !s.image_builds.iter().any(|b| &b.name == build)
        {
            self.error(
                service,
                format!("container `{}` runs image build `{build}`, which the service does not have", c.name),
                "add an image build of that name, or run a published image",
            );
        }
        for mount in &c.volumes {
            if !volumes.contains(mount.volume.as_str()) {
                self.error(
                    service,
                    format!(
                        "container `{}` mounts volume `{}`, which the service does not declare",
                        c.name, mount.volume
                    ),
                    "declare the volume with the container's service",
                );
            }
        }
        for network in &c.networks {
            if !plan.networks.contains_key(network.as_str()) {
                self.error(
                    service,
                    format!("container `{}` joins network `{network}`, which is not declared", c.name),
                    format!("declare it in the stack: `compose \"{}\" {{ network \"{network}\" }}`", plan.name),
                );
            }
        }
        for (variable, secret) in &c.secret_environment {
            if !is_variable(variable) {
                self.error(
                    service,
                    format!("`{variable}` is not an environment variable name"),
                    "use letters, digits and `_`, not starting with a digit",
                );
            }
            self.secret(service, secret, plan);
        }
        for file in &c.secret_files {
            if file.owner.is_some() || file.group.is_some() {
                self.error(
                    service,
                    format!("secret file `{}` of container `{}` has an owner", file.path, c.name),
                    "Compose outside Swarm ignores the owner of a secret file: run the container as a user that can read it",
                );
            }
            self.secret(service, &file.secret, plan);
        }
        for port in &c.ports {
            let key = (port.host_ip.as_deref(), port.host_port, port.protocol.as_str());
            if let Some(other) = self.published.insert(key, &c.name) {
                self.error(
                    service,
                    format!(
                        "containers `{other}` and `{}` both publish port {}/{}",
                        c.name, port.host_port, port.protocol
                    ),
                    "publish one of them on another port",
                );
            }
        }
    }

    /// Names of containers, builds and volumes are the service's own or start with it.
    fn owned(&mut self, service: &'a Service, kind: &'static str, name: &'a str) {
        let own = &service.name.value;
        let owned = name == own || name.strip_prefix(own.as_str()).is_some_and(|rest| rest.starts_with('-'));
        if !owned {
            self.error(
                service,
                format!("{kind} `{name}` of service `{own}` is not named after it"),
                format!("name it `{own}` or `{own}-…`, so that no two services take one name"),
            );
        } else if let Some(other) = self.taken.insert((kind, name), own) {
            self.error(
                service,
                format!("services `{other}` and `{own}` both have a {kind} named `{name}`"),
                "rename one of the services",
            );
        }
    }

    /// Records where a secret comes from, or says why a container cannot have it.
    fn secret(&mut self, service: &Service, name: &'a str, plan: &mut ComposePlan<'a>) {
        let help = format!("declare it `secret \"{name}\" env=\"VARIABLE\"`: `.env.example` names the variable");
        match self.stack.secret(name).map(|s| &s.source) {
            Some(SecretSource::Env { variable }) => {
                plan.secrets.insert(name, variable);
            }
            Some(_) => self.error(
                service,
                format!("secret `{name}` does not come from the environment, where Compose reads it (`.env`)"),
                help,
            ),
            None => self.error(service, format!("secret `{name}` is not declared"), help),
        }
    }
}

/// Root by name or by id; an empty user is the image's default, which is root for most images.
fn runs_as_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default();
    name.is_empty() || name == "root" || name == "0"
}

fn is_variable(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A service whose plugin rendered artifacts that cannot be where the service is placed.
pub(crate) fn misplaced(stack: &Stack, service: &Service, plugin: &str, kinds: &BTreeSet<&str>) -> Diagnostic {
    let kinds: Vec<&str> = kinds.iter().copied().collect();
    let kinds = match kinds.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let name = &service.name.value;
    let (message, help) = match (&service.placement, &stack.compose) {
        (Placement::Compose(project), _) => (
            format!(
                "plugin `{plugin}` rendered {kinds} for service `{name}`, which runs in the Compose project `{}`",
                project.value
            ),
            "this plugin does not run in Compose: place the service on hosts or in the cluster".to_owned(),
        ),
        (_, Some(project)) => (
            format!("plugin `{plugin}` rendered containers for service `{name}`, which is not in the Compose project"),
            format!("place it in the project: `on=\"{}\"`", project.name.value),
        ),
        (_, None) => (
            format!("plugin `{plugin}` rendered containers for service `{name}`, which is not in a Compose project"),
            "declare one (`compose \"name\"`) and place the service in it: `on=\"name\"`".to_owned(),
        ),
    };
    Diagnostic::error("stackc::emit::placement", message).at(service.name.span, "placed here").with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_by_name_id_or_default() {
        for user in ["", "root", "0", "0:0", "root:staff"] {
            assert!(runs_as_root(user), "{user:?}");
        }
        for user in ["postgres", "999:999", "1000", "app:app"] {
            assert!(!runs_as_root(user), "{user:?}");
        }
    }

    #[test]
    fn variable_names() {
        assert!(is_variable("DB_PASSWORD") && is_variable("_X1"));
        assert!(!is_variable("1X") && !is_variable("DB-PASSWORD") && !is_variable(""));
    }
}
