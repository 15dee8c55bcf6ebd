//! The kube-access plugin's render logic, run natively.

use stackc_plugin_kube_access::KubeAccess;
use stackc_plugin_sdk::Artifact;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{context, render};

#[test]
fn accounts_get_their_rules_and_groups_a_built_in_role_in_the_namespace_only() {
    let config = json!({
        "namespace": "tasktracker",
        "service-account": {"gitlab-deployer": {"rule": [
            {"api-groups": "apps", "resources": "deployments", "verbs": ["get", "list", "patch"]},
            {"resources": ["services", "configmaps"], "verbs": ["get", "create"]},
        ]}},
        "group": {"oidc:Developers": {"role": "view"}},
    });
    let artifacts = render::<KubeAccess>(&config, &context("access", &[])).expect("renders");
    let objects: Vec<String> = artifacts
        .iter()
        .map(|a| match a {
            Artifact::KubeObject(o) => format!("# {}\n{}", o.name, o.yaml),
            other => panic!("not a Kubernetes object: {other:?}"),
        })
        .collect();
    let text = objects.join("---\n");
    assert!(!text.contains("ClusterRoleBinding"), "a grant beyond the namespace:\n{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn bad_grants_are_reported_at_their_paths() {
    let config = json!({
        "namespace": "Tasks",
        "service-account": {"Deployer": {"rule": [{"resources": [], "verbs": ["destroy"]}]}},
    });
    let errors = render::<KubeAccess>(&config, &context("access", &[("h1", "10.0.0.1")])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}
