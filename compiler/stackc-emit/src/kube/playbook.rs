//! `ansible/kubernetes.yml`: a playbook run from the control node against the current
//! kubeconfig, one play per step so that a run shows which step failed: `Step 1/N:
//! namespaces`, `Step 2/N: secrets` (Kubernetes Secrets filled from their stack secrets, e.g.
//! Ansible Vault variables, never from values in the bundle), then one step per service in
//! deploy order that adds Helm repositories, installs the service's releases from their
//! values files and applies its objects.
//!
//! The playbook names values files and manifests by path and holds nothing a plugin
//! rendered, so a change of one service's values changes that service's files only.

use std::collections::BTreeSet;

use crate::ansible::playbook::{self, Play, Task};
use crate::plan::{KubeSecret, Plan, ServicePlan};
use crate::yaml::{Map, Scalar, Yaml};

/// The plays of `kubernetes.yml`, each made when it is written: namespaces, secrets, then one
/// per service that installs releases or applies objects.
pub(crate) struct Plays<'a, 'p> {
    namespaces: BTreeSet<&'a str>,
    secrets: Vec<&'a KubeSecret<'p>>,
    deployed: Vec<&'a ServicePlan<'p>>,
}

impl<'a, 'p> Plays<'a, 'p> {
    pub(crate) fn new(services: &[&'a ServicePlan<'p>]) -> Self {
        let namespaces = services
            .iter()
            .flat_map(|s| {
                s.helm_releases
                    .iter()
                    .map(|r| r.namespace.as_str())
                    .chain(s.kube_secrets.iter().map(|k| k.namespace))
                    .chain(s.kube_objects.iter().filter_map(|o| object_namespace(&o.yaml)))
            })
            .collect();
        let secrets = services.iter().flat_map(|s| &s.kube_secrets).collect();
        let deployed =
            services.iter().copied().filter(|s| !s.helm_releases.is_empty() || !s.kube_objects.is_empty()).collect();
        Plays { namespaces, secrets, deployed }
    }

    pub(crate) fn len(&self) -> usize {
        usize::from(!self.namespaces.is_empty()) + usize::from(!self.secrets.is_empty()) + self.deployed.len()
    }

    /// Play `index`, named `Step <index + 1>/<len>: …`.
    pub(crate) fn get(&self, index: usize) -> Play {
        let play = |title: &str, tasks| Play::local(format!("Step {}/{}: {title}", index + 1, self.len()), tasks);
        let mut rest = index;
        if !self.namespaces.is_empty() {
            if rest == 0 {
                let definition = Map::new()
                    .with("apiVersion", Scalar::plain("v1"))
                    .with("kind", Scalar::plain("Namespace"))
                    .with("metadata", Map::new().with("name", Scalar::quoted("{{ item }}")));
                let args = Map::new().with("state", Scalar::plain("present")).with("definition", definition);
                let task = Task::new(Scalar::plain("Create namespaces"), "kubernetes.core.k8s", args)
                    .looping(self.namespaces.iter().map(|n| Yaml::quoted(*n)).collect());
                return play("namespaces", vec![task]);
            }
            rest -= 1;
        }
        if !self.secrets.is_empty() {
            if rest == 0 {
                return play("secrets", self.secrets.iter().map(|s| secret_task(s)).collect());
            }
            rest -= 1;
        }
        let s = self.deployed[rest];
        play(&format!("{} ({})", s.service.name.value, s.service.plugin.value), service_tasks(s))
    }
}

pub(crate) fn text(plan: &Plan<'_>, plays: &Plays<'_, '_>) -> String {
    let header = format!(
        "---\n# Deploys stack `{}` into a Kubernetes cluster, one play per step.\n\
         # Written by stackc; regenerate it rather than edit it. Run it from this directory:\n\
         #   ansible-playbook kubernetes.yml --ask-vault-pass\n\
         # It uses the current kubeconfig and needs the kubernetes.core collection, the Python\n\
         # `kubernetes` package and helm 3 on the control node.\n\n",
        plan.stack.name.value
    );
    playbook::text(&header, plays.len(), |i| plays.get(i))
}

fn secret_task(secret: &KubeSecret<'_>) -> Task {
    let mut data = Map::new();
    for (key, source) in &secret.entries {
        data.insert_scalar(Scalar::quoted(*key), Scalar::quoted(playbook::secret_value(*source)));
    }
    let definition = Map::new()
        .with("apiVersion", Scalar::plain("v1"))
        .with("kind", Scalar::plain("Secret"))
        .with("type", Scalar::plain("Opaque"))
        .with(
            "metadata",
            Map::new().with("name", Scalar::quoted(secret.name)).with("namespace", Scalar::quoted(secret.namespace)),
        )
        .with("stringData", data);
    let args = Map::new().with("state", Scalar::plain("present")).with("definition", definition);
    let title = format!("Create Secret {}/{}", secret.namespace, secret.name);
    let mut task = Task::new(Scalar::quoted(title), "kubernetes.core.k8s", args);
    task.no_log = true;
    task
}

/// Helm repositories and releases in the service's order, then its objects.
fn service_tasks(s: &ServicePlan<'_>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for release in &s.helm_releases {
        let chart_ref = if release.repository.starts_with("oci://") {
            format!("{}/{}", release.repository.trim_end_matches('/'), release.chart)
        } else {
            let repo = repository_name(&release.repository);
            let args = Map::new()
                .with("name", Scalar::quoted(&repo))
                .with("repo_url", Scalar::quoted(&release.repository))
                .with("state", Scalar::plain("present"));
            let title = format!("Add Helm repository {repo}");
            tasks.push(Task::new(Scalar::quoted(title), "kubernetes.core.helm_repository", args));
            format!("{repo}/{}", release.chart)
        };
        let values = format!("{{{{ playbook_dir }}}}/../helm/{}/values.yaml", release.name);
        let args = Map::new()
            .with("name", Scalar::quoted(&release.name))
            .with("chart_ref", Scalar::quoted(chart_ref))
            .with("chart_version", Scalar::quoted(&release.version))
            .with("release_namespace", Scalar::quoted(&release.namespace))
            .with("values_files", Yaml::quoted_list([values]))
            .with("wait", true)
            .with("state", Scalar::plain("present"));
        let title = format!("Install Helm release {} ({} {})", release.name, release.chart, release.version);
        tasks.push(Task::new(Scalar::quoted(title), "kubernetes.core.helm", args));
    }
    if !s.kube_objects.is_empty() {
        let name = &s.service.name.value;
        let args = Map::new()
            .with("state", Scalar::plain("present"))
            .with("src", Scalar::quoted(format!("{{{{ playbook_dir }}}}/../kubernetes/{name}/{{{{ item }}}}")))
            .with("wait", true);
        let items = s.kube_objects.iter().map(|o| Yaml::quoted(format!("{}.yaml", o.name))).collect();
        let title = format!("Apply the Kubernetes objects of {name}");
        tasks.push(Task::new(Scalar::quoted(title), "kubernetes.core.k8s", args).looping(items));
    }
    tasks
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn kubernetes_yml_reads_back_as_its_plays() {
        crate::tests::everything().with_plan(|plan| {
            let services: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| s.deploys_to_cluster()).collect();
            let plays = Plays::new(&services);
            let each: Vec<Play> = (0..plays.len()).map(|i| plays.get(i)).collect();
            assert_eq!(each.len(), 4, "namespaces, secrets and two services");
            assert_reads_back(&text(plan, &plays), &playbook::to_yaml(&each));
        });
    }

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
