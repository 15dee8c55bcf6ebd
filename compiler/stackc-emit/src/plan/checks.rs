//! What the plan refuses: secrets whose source cannot reach where they are asked for, names
//! that must be unique across services, unpinned charts, container hosts without a network.

use std::collections::{BTreeMap, BTreeSet};

use stackc_diag::Diagnostic;
use stackc_model::{SecretSource, Service, Stack};
use stackc_plugin_host::{Account, HelmRelease};

use super::{DeploySecret, ServicePlan};
use crate::labels;

/// Why a secret cannot fill a file the deploy tool writes.
enum Unfit {
    Undeclared,
    InCluster,
}

fn deploy_secret<'a>(stack: &'a Stack, name: &str) -> Result<DeploySecret<'a>, Unfit> {
    match &stack.secret(name).ok_or(Unfit::Undeclared)?.source {
        SecretSource::Vault { variable } => Ok(DeploySecret::Vault(variable)),
        SecretSource::Env { variable } => Ok(DeploySecret::Env(variable)),
        SecretSource::KubeSecret { .. } => Err(Unfit::InCluster),
    }
}

/// The source of a secret a host file of `service` is filled from.
pub(super) fn host_secret<'a>(
    stack: &'a Stack,
    service: &Service,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DeploySecret<'a>> {
    if let Ok(secret) = deploy_secret(stack, name) {
        return Some(secret);
    }
    // Undeclared or kept in the cluster: either way nothing can bring it to a host.
    diagnostics.push(
        Diagnostic::error("stackc::emit::secret", format!("secret `{name}` cannot be written to a file on a host"))
            .at(service.name.span, "this service asks for it")
            .with_help("host files take secrets from `vault=` or `env=`; a `kube-secret=` lives in the cluster"),
    );
    None
}

/// The source of the secret `name` that fills an entry of the Kubernetes Secret `secret`.
pub(super) fn kube_secret_entry<'a>(
    stack: &'a Stack,
    service: &Service,
    secret: &str,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<DeploySecret<'a>> {
    let message = match deploy_secret(stack, name) {
        Ok(source) => return Some(source),
        Err(Unfit::Undeclared) => format!("secret `{name}` is not declared, so `{secret}` cannot be filled"),
        Err(Unfit::InCluster) => format!("secret `{name}` lives in the cluster and cannot fill `{secret}`"),
    };
    diagnostics.push(
        Diagnostic::error("stackc::emit::secret", message)
            .at(service.name.span, "this service asks for it")
            .with_help("declare it with `vault=` or `env=`"),
    );
    None
}

/// A release installs the chart version it names, never whatever is newest.
pub(super) fn pinned_chart(service: &Service, release: &HelmRelease, diagnostics: &mut Vec<Diagnostic>) {
    if release.version.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                "stackc::emit::kube",
                format!("the Helm release `{}` has no pinned chart version", release.name),
            )
            .at(service.name.span, "in this service"),
        );
    }
}

/// Names that must be unique across the stack: release names (they name values files and
/// releases), Secrets per namespace, and object files per service.
pub(super) fn kube_names(services: &[ServicePlan<'_>], diagnostics: &mut Vec<Diagnostic>) {
    let mut releases: BTreeMap<&str, &Service> = BTreeMap::new();
    let mut secrets: BTreeMap<(&str, &str), &Service> = BTreeMap::new();
    for s in services {
        let service = s.service;
        for release in &s.helm_releases {
            if let Some(first) = releases.insert(&release.name, service) {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::kube",
                        format!("two services install a Helm release named `{}`", release.name),
                    )
                    .at(service.name.span, "this service's release")
                    .with_secondary(first.name.span, "has the same name as this one's")
                    .with_help("rename one of the services: releases are named after them"),
                );
            }
        }
        for secret in &s.kube_secrets {
            if let Some(first) = secrets.insert((secret.namespace, secret.name), service) {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::kube",
                        format!("two services declare Kubernetes Secret `{}/{}`", secret.namespace, secret.name),
                    )
                    .at(service.name.span, "declared again here")
                    .with_secondary(first.name.span, "first declared here"),
                );
            }
        }
        let mut objects = BTreeSet::new();
        for object in &s.kube_objects {
            if object.name == "kustomization" || !objects.insert(object.name.as_str()) {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::kube",
                        format!("service `{}` has two Kubernetes objects named `{}`", service.name.value, object.name),
                    )
                    .at(service.name.span, "in this service"),
                );
            }
        }
    }
}

/// Every container host needs the subnet of the network it gets its address on.
pub(super) fn container_subnets(stack: &Stack, diagnostics: &mut Vec<Diagnostic>) {
    for host in stack.hosts.iter().filter(|h| h.labels.contains_key(labels::CONTAINER_IMAGE)) {
        if !host.labels.contains_key(labels::CONTAINER_SUBNET) {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::emit::container",
                    format!("container host `{}` has no `{}` label", host.name.value, labels::CONTAINER_SUBNET),
                )
                .at(host.name.span, "this host is a container")
                .with_help(format!(
                    "add `{}=\"…/24\"` to its labels: the network the container gets its address on",
                    labels::CONTAINER_SUBNET
                )),
            );
        }
    }
}

/// A user or group name as `useradd` takes it: a lower-case letter or `_`, then lower-case
/// letters, digits, `_` and `-`, at most 32 bytes.
fn is_user_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    first && name.len() <= 32 && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn bad_name(service: &Service, plugin: &str, message: String) -> Diagnostic {
    Diagnostic::error("stackc::emit::account", format!("plugin `{plugin}` {message}"))
        .at(service.name.span, "in this service")
        .with_help("user and group names are a lower-case letter or `_`, then lower-case letters, digits, `_` or `-`")
}

/// The owner and group a plugin gave a host file are names a host can have.
pub(super) fn owner(
    service: &Service,
    plugin: &str,
    path: &str,
    owner: &Option<String>,
    group: &Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for name in [owner, group].into_iter().flatten().filter(|n| !is_user_name(n)) {
        diagnostics.push(bad_name(
            service,
            plugin,
            format!("gave `{path}` the owner `{name}`, which is not a user name"),
        ));
    }
}

/// A login account: valid names, an absolute shell, and public keys only.
pub(super) fn account(service: &Service, plugin: &str, account: &Account, diagnostics: &mut Vec<Diagnostic>) {
    for name in std::iter::once(&account.name).chain(&account.groups).filter(|n| !is_user_name(n)) {
        diagnostics.push(bad_name(service, plugin, format!("made an account with the name `{name}`")));
    }
    if !account.shell.starts_with('/') {
        diagnostics.push(
            Diagnostic::error(
                "stackc::emit::account",
                format!("the shell of account `{}` is not an absolute path: `{}`", account.name, account.shell),
            )
            .at(service.name.span, "in this service"),
        );
    }
    for key in &account.authorized_keys {
        if let Err(why) = public_key(key) {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::emit::account",
                    format!("an authorized key of account `{}` {why}", account.name),
                )
                .at(service.name.span, "in this service")
                .with_help("give the public key: one line, `ssh-ed25519 AAAA… comment` as in `~/.ssh/id_ed25519.pub`"),
            );
        }
    }
}

/// Whether `key` is one line of an OpenSSH public key; a private key must never reach a
/// bundle.
fn public_key(key: &str) -> Result<(), &'static str> {
    if key.contains("PRIVATE KEY") {
        return Err("is a private key");
    }
    if key.trim().contains('\n') {
        return Err("is more than one line");
    }
    let mut fields = key.split_whitespace();
    let kind = fields.next().unwrap_or("");
    let known = kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
    if !known || fields.next().is_none_or(|blob| !blob.starts_with("AAAA")) {
        return Err("is not an OpenSSH public key");
    }
    Ok(())
}

/// A traffic gate controls a host of a service its own service references, and its commands
/// are argv with an absolute program.
pub(super) fn traffic_gates(services: &[ServicePlan<'_>], diagnostics: &mut Vec<Diagnostic>) {
    // Few services declare gates: the others' references are not collected.
    for s in services.iter().filter(|s| !s.gates.is_empty()) {
        let name = &s.service.name.value;
        let references = s.service.config.references();
        for gate in &s.gates {
            let target = services.iter().find(|t| t.service.name.value == gate.service);
            let problem = if !references.iter().any(|r| r.service == gate.service) {
                format!("a traffic gate of `{name}` is for `{}`, which it does not reference", gate.service)
            } else if !target.is_some_and(|t| t.hosts.contains(&gate.host.as_str())) {
                format!("a traffic gate of `{name}` is for host `{}`, which does not run `{}`", gate.host, gate.service)
            } else if [&gate.drain, &gate.enable].iter().any(|argv| !argv.first().is_some_and(|p| p.starts_with('/'))) {
                format!("a traffic gate of `{name}` has a command whose program is not an absolute path")
            } else {
                continue;
            };
            diagnostics
                .push(Diagnostic::error("stackc::emit::gate", problem).at(s.service.name.span, "in this service"));
        }
    }
}

/// Every label of a host that deploys becomes an inventory variable (`host_vars/`): its name,
/// with `-` as `_`, must be one.
pub(super) fn label_names(stack: &Stack, diagnostics: &mut Vec<Diagnostic>) {
    for host in &stack.hosts {
        for label in host.labels.keys() {
            let variable = labels::variable(label);
            let mut bytes = variable.bytes();
            let first = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
            if !first || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::label",
                        format!("label `{label}` cannot name an inventory variable"),
                    )
                    .at(host.name.span, "on this host")
                    .with_help("use letters, digits, `_` and `-`, starting with a letter"),
                );
            }
        }
    }
}
