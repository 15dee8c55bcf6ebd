//! The Kubernetes target: manifests, Helm values and a playbook that applies them.
//!
//! - `kubernetes/<service>/<object>.yaml`: each Kubernetes object a service asks for, plus a
//!   `kustomization.yaml` listing them in the plugin's order, so `kubectl apply -k
//!   kubernetes/<service>` applies a service by hand;
//! - `helm/<release>/values.yaml`: the values of each Helm release;
//! - `ansible/kubernetes.yml`: a playbook run from the control node against the current
//!   kubeconfig, one play per step so that a run shows which step failed: `Step 1/N:
//!   namespaces`, `Step 2/N: secrets` (Kubernetes Secrets filled from their stack secrets,
//!   e.g. Ansible Vault variables, never from values in the bundle), then one step per
//!   service in deploy order that adds Helm repositories, installs the service's releases
//!   from their values files and applies its objects.
//!
//! The playbook names values files and manifests by path and holds nothing a plugin
//! rendered, so a change of one service's values changes that service's files only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use stackc_bundle::{File, Producer};
use stackc_diag::Diagnostic;
use stackc_model::{SecretSource, Service, Stack};
use stackc_plugin_host::{Artifact, HelmRelease, KubeObject, KubeSecret};

use crate::Rendered;
use crate::order;
use crate::yaml::quote;

const TARGET: &str = "kubernetes";
use crate::vault::EXAMPLE_PATH as VAULT_EXAMPLE;

/// One service's Kubernetes artifacts.
struct KubeService<'a> {
    service: &'a Service,
    objects: Vec<&'a KubeObject>,
    secrets: Vec<&'a KubeSecret>,
    releases: Vec<&'a HelmRelease>,
}

/// The Kubernetes files of the bundle. `vault_example_written` tells whether another emitter
/// already ships `ansible/group_vars/all/vault.yml.example`.
pub(crate) fn emit(
    stack: &Stack,
    rendered: &[Rendered],
    vault_example_written: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<File> {
    let services: Vec<KubeService<'_>> = order::deploy_order(stack)
        .into_iter()
        .filter_map(|index| {
            let r = rendered.iter().find(|r| r.service == index)?;
            let mut s = KubeService {
                service: &stack.services[index],
                objects: Vec::new(),
                secrets: Vec::new(),
                releases: Vec::new(),
            };
            for artifact in &r.artifacts {
                match artifact {
                    Artifact::KubeObject(o) => s.objects.push(o),
                    Artifact::KubeSecret(k) => s.secrets.push(k),
                    Artifact::HelmRelease(h) => s.releases.push(h),
                    _ => {}
                }
            }
            (!s.objects.is_empty() || !s.secrets.is_empty() || !s.releases.is_empty()).then_some(s)
        })
        .collect();
    if services.is_empty() {
        return Vec::new();
    }
    check(stack, &services, diagnostics);

    let mut files = Vec::new();
    for s in &services {
        let name = &s.service.name.value;
        let own = |path: String, contents: String| File {
            path,
            mode: 0o644,
            contents: contents.into_bytes(),
            producer: Producer::Services(vec![name.clone()]),
        };
        for object in &s.objects {
            files.push(own(format!("kubernetes/{name}/{}.yaml", object.name), with_newline(&object.yaml)));
        }
        if !s.objects.is_empty() {
            files.push(own(format!("kubernetes/{name}/kustomization.yaml"), kustomization(s)));
        }
        for release in &s.releases {
            files.push(own(format!("helm/{}/values.yaml", release.name), with_newline(&release.values)));
        }
    }
    let target = |path: &str, contents: String| File {
        path: path.to_owned(),
        mode: 0o644,
        contents: contents.into_bytes(),
        producer: Producer::Target(TARGET.to_owned()),
    };
    files.push(target("ansible/kubernetes.yml", playbook(stack, &services, diagnostics)));
    if !vault_example_written {
        let example = crate::vault::example(stack);
        if !example.is_empty() {
            files.push(target(VAULT_EXAMPLE, example));
        }
    }
    files
}

/// The path another emitter uses for the Vault example, so `emit` can tell whether it is
/// already written.
pub(crate) fn is_vault_example(file: &File) -> bool {
    file.path == VAULT_EXAMPLE
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') { text.to_owned() } else { format!("{text}\n") }
}

/// Names that must be unique across the stack: release names (they name values files and
/// releases), Secrets per namespace, and object files per service.
fn check(stack: &Stack, services: &[KubeService<'_>], diagnostics: &mut Vec<Diagnostic>) {
    let mut releases: BTreeMap<&str, &Service> = BTreeMap::new();
    let mut secrets: BTreeMap<(&str, &str), &Service> = BTreeMap::new();
    for s in services {
        let service = s.service;
        for release in &s.releases {
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
        for secret in &s.secrets {
            if let Some(first) = secrets.insert((&secret.namespace, &secret.name), service) {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::kube",
                        format!("two services declare Kubernetes Secret `{}/{}`", secret.namespace, secret.name),
                    )
                    .at(service.name.span, "declared again here")
                    .with_secondary(first.name.span, "first declared here"),
                );
            }
            for (_, name) in &secret.entries {
                let problem = match stack.secret(name).map(|s| &s.source) {
                    None => Some(format!("secret `{name}` is not declared, so `{}` cannot be filled", secret.name)),
                    Some(SecretSource::KubeSecret { .. }) => {
                        Some(format!("secret `{name}` lives in the cluster and cannot fill `{}`", secret.name))
                    }
                    Some(_) => None,
                };
                if let Some(message) = problem {
                    diagnostics.push(
                        Diagnostic::error("stackc::emit::secret", message)
                            .at(service.name.span, "this service asks for it")
                            .with_help("declare it with `vault=` or `env=`"),
                    );
                }
            }
        }
        let mut objects = BTreeSet::new();
        for object in &s.objects {
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

fn kustomization(s: &KubeService<'_>) -> String {
    let mut out = format!(
        "# Kubernetes objects of service `{}`, written by stackc: `kubectl apply -k .` applies them.\n\
         # The Secrets they read are created by ansible/kubernetes.yml from their stack secrets.\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
        s.service.name.value
    );
    for object in &s.objects {
        writeln!(out, "  - {}.yaml", object.name).expect("write to string");
    }
    out
}

/// The namespace in an object's top-level `metadata`, if it names one.
fn object_namespace(yaml: &str) -> Option<&str> {
    let mut in_metadata = false;
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_metadata = line.trim_end() == "metadata:";
            continue;
        }
        if in_metadata && let Some(value) = line.strip_prefix("  namespace:") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            return (!value.is_empty()).then_some(value);
        }
    }
    None
}

/// A Helm repository's name for `helm repo add`: the GitHub Pages owner for
/// `https://<owner>.github.io/…`, else the last path segment, else the host.
fn repository_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let name = match host.strip_suffix(".github.io") {
        Some(owner) => owner,
        None => path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(host),
    };
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' }).collect()
}

fn playbook(stack: &Stack, services: &[KubeService<'_>], diagnostics: &mut Vec<Diagnostic>) -> String {
    let namespaces: BTreeSet<&str> = services
        .iter()
        .flat_map(|s| {
            s.releases
                .iter()
                .map(|r| r.namespace.as_str())
                .chain(s.secrets.iter().map(|k| k.namespace.as_str()))
                .chain(s.objects.iter().filter_map(|o| object_namespace(&o.yaml)))
        })
        .collect();
    let secrets: Vec<&KubeSecret> = services.iter().flat_map(|s| s.secrets.iter().copied()).collect();
    let deployed: Vec<&KubeService<'_>> =
        services.iter().filter(|s| !s.releases.is_empty() || !s.objects.is_empty()).collect();
    let total = usize::from(!namespaces.is_empty()) + usize::from(!secrets.is_empty()) + deployed.len();

    let mut out = format!(
        "---\n# Deploys stack `{}` into a Kubernetes cluster, one play per step.\n\
         # Written by stackc; regenerate it rather than edit it. Run it from this directory:\n\
         #   ansible-playbook kubernetes.yml --ask-vault-pass\n\
         # It uses the current kubeconfig and needs the kubernetes.core collection, the Python\n\
         # `kubernetes` package and helm 3 on the control node.\n",
        stack.name.value
    );
    let mut step = 0;
    let mut play = |out: &mut String, title: &str| {
        step += 1;
        write!(
            out,
            "\n- name: {}\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n",
            quote(&format!("Step {step}/{total}: {title}"))
        )
        .expect("write to string");
    };

    if !namespaces.is_empty() {
        play(&mut out, "namespaces");
        out.push_str(
            "    - name: Create namespaces\n      kubernetes.core.k8s:\n        state: present\n        definition:\n          apiVersion: v1\n          kind: Namespace\n          metadata:\n            name: \"{{ item }}\"\n      loop:\n",
        );
        for namespace in &namespaces {
            writeln!(out, "        - {}", quote(namespace)).expect("write to string");
        }
    }

    if !secrets.is_empty() {
        play(&mut out, "secrets");
        for (i, secret) in secrets.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            write!(
                out,
                "    - name: {}\n      kubernetes.core.k8s:\n        state: present\n        definition:\n          apiVersion: v1\n          kind: Secret\n          type: Opaque\n          metadata:\n            name: {}\n            namespace: {}\n          stringData:\n",
                quote(&format!("Create Secret {}/{}", secret.namespace, secret.name)),
                quote(&secret.name),
                quote(&secret.namespace)
            )
            .expect("write to string");
            for (key, name) in &secret.entries {
                // Unknown or unusable secrets were reported by `check`.
                let value = secret_expression(stack, name).unwrap_or_default();
                writeln!(out, "            {}: {}", quote(key), quote(&value)).expect("write to string");
            }
            out.push_str("      no_log: true\n");
        }
    }

    for s in deployed {
        play(&mut out, &format!("{} ({})", s.service.name.value, s.service.plugin.value));
        let mut first = true;
        let mut gap = |out: &mut String| {
            if !std::mem::take(&mut first) {
                out.push('\n');
            }
        };
        for release in &s.releases {
            let chart_ref = if release.repository.starts_with("oci://") {
                format!("{}/{}", release.repository.trim_end_matches('/'), release.chart)
            } else {
                let repo = repository_name(&release.repository);
                gap(&mut out);
                write!(
                    out,
                    "    - name: {}\n      kubernetes.core.helm_repository:\n        name: {}\n        repo_url: {}\n        state: present\n",
                    quote(&format!("Add Helm repository {repo}")),
                    quote(&repo),
                    quote(&release.repository)
                )
                .expect("write to string");
                format!("{repo}/{}", release.chart)
            };
            if release.version.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::kube",
                        format!("the Helm release `{}` has no pinned chart version", release.name),
                    )
                    .at(s.service.name.span, "in this service"),
                );
            }
            gap(&mut out);
            write!(
                out,
                "    - name: {}\n      kubernetes.core.helm:\n        name: {}\n        chart_ref: {}\n        chart_version: {}\n        release_namespace: {}\n        values_files:\n          - {}\n        wait: true\n        state: present\n",
                quote(&format!("Install Helm release {} ({} {})", release.name, release.chart, release.version)),
                quote(&release.name),
                quote(&chart_ref),
                quote(&release.version),
                quote(&release.namespace),
                quote(&format!("{{{{ playbook_dir }}}}/../helm/{}/values.yaml", release.name))
            )
            .expect("write to string");
        }
        if !s.objects.is_empty() {
            let name = &s.service.name.value;
            gap(&mut out);
            write!(
                out,
                "    - name: {}\n      kubernetes.core.k8s:\n        state: present\n        src: {}\n        wait: true\n      loop:\n",
                quote(&format!("Apply the Kubernetes objects of {name}")),
                quote(&format!("{{{{ playbook_dir }}}}/../kubernetes/{name}/{{{{ item }}}}"))
            )
            .expect("write to string");
            for object in &s.objects {
                writeln!(out, "        - {}", quote(&format!("{}.yaml", object.name))).expect("write to string");
            }
        }
    }
    out
}

/// The Jinja expression that yields a secret at deploy time.
fn secret_expression(stack: &Stack, name: &str) -> Option<String> {
    match &stack.secret(name)?.source {
        SecretSource::Vault { variable } => Some(format!("{{{{ {variable} }}}}")),
        SecretSource::Env { variable } => Some(format!("{{{{ lookup('ansible.builtin.env', '{variable}') }}}}")),
        SecretSource::KubeSecret { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_come_from_top_level_metadata() {
        let yaml =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: \"apps\"\nspec:\n  namespace: no\n";
        assert_eq!(object_namespace(yaml), Some("apps"));
        assert_eq!(object_namespace("kind: Namespace\nmetadata:\n  name: x\nspec:\n  namespace: y\n"), None);
    }

    #[test]
    fn repository_names() {
        assert_eq!(repository_name("https://prometheus-community.github.io/helm-charts"), "prometheus-community");
        assert_eq!(repository_name("https://charts.bitnami.com/bitnami"), "bitnami");
        assert_eq!(repository_name("https://grafana.github.io/helm-charts/"), "grafana");
        assert_eq!(repository_name("https://charts.example.org"), "charts-example-org");
    }
}
