//! The Kubernetes target: manifests, Helm values and a playbook that applies them.
//!
//! - `kubernetes/<service>/<object>.yaml`: each Kubernetes object a service asks for, plus a
//!   `kustomization.yaml` listing them in the plugin's order, so `kubectl apply -k
//!   kubernetes/<service>` applies a service by hand;
//! - `helm/<release>/values.yaml`: the values of each Helm release;
//! - `ansible/kubernetes.yml`: the playbook that creates namespaces and Secrets, installs the
//!   releases and applies the objects ([`playbook`]).

mod playbook;

use stackc_bundle::{File, Producer};

use crate::plan::{Plan, ServicePlan, Target};
use crate::yaml::{self, Map, Scalar, Seq, Yaml};

/// Nothing when no service asks the cluster for anything.
pub(crate) fn emit(plan: &Plan<'_>) -> Vec<File> {
    let services: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| s.deploys_to_cluster()).collect();
    if services.is_empty() {
        return Vec::new();
    }
    let mut files = Vec::new();
    for s in &services {
        let name = &s.service.name.value;
        let own = |path: String, contents: String| File {
            path,
            mode: 0o644,
            contents: contents.into_bytes(),
            producer: Producer::Services(vec![name.clone()]),
        };
        for object in &s.kube_objects {
            files.push(own(format!("kubernetes/{name}/{}.yaml", object.name), with_newline(&object.yaml)));
        }
        if !s.kube_objects.is_empty() {
            files.push(own(format!("kubernetes/{name}/kustomization.yaml"), kustomization_text(s)));
        }
        for release in &s.helm_releases {
            files.push(own(format!("helm/{}/values.yaml", release.name), with_newline(&release.values)));
        }
    }
    files.push(File {
        path: "ansible/kubernetes.yml".to_owned(),
        mode: 0o644,
        contents: playbook::text(plan, &playbook::Plays::new(&services)).into_bytes(),
        producer: Target::Kubernetes.producer(),
    });
    files
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') { text.to_owned() } else { format!("{text}\n") }
}

/// The service's objects, in the plugin's order.
fn kustomization(s: &ServicePlan<'_>) -> Yaml {
    let resources = s.kube_objects.iter().map(|o| Yaml::plain(format!("{}.yaml", o.name))).collect();
    Map::new()
        .with("apiVersion", Scalar::plain("kustomize.config.k8s.io/v1beta1"))
        .with("kind", Scalar::plain("Kustomization"))
        .with("resources", Seq::new(resources))
        .into()
}

fn kustomization_text(s: &ServicePlan<'_>) -> String {
    format!(
        "# Kubernetes objects of service `{}`, written by stackc: `kubectl apply -k .` applies them.\n\
         # The Secrets they read are created by ansible/kubernetes.yml from their stack secrets.\n{}",
        s.service.name.value,
        yaml::write(&kustomization(s))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn kustomizations_read_back_as_their_values() {
        crate::tests::everything().with_plan(|plan| {
            let services: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| !s.kube_objects.is_empty()).collect();
            assert!(!services.is_empty());
            for s in services {
                assert_reads_back(&kustomization_text(s), &kustomization(s));
            }
        });
    }
}
