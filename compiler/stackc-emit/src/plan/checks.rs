//! What the plan refuses: secrets whose source cannot reach where they are asked for, names
//! that must be unique across services, unpinned charts, container hosts without a network.

use std::collections::{BTreeMap, BTreeSet};

use stackc_diag::Diagnostic;
use stackc_model::{SecretSource, Service, Stack};
use stackc_plugin_host::HelmRelease;

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
