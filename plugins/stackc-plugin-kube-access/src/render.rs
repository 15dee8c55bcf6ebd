//! From config to the namespace's ServiceAccounts, Roles and RoleBindings: checks first, then
//! one template per object kind. Objects are labelled like the `k8s` plugin's.

use serde::Serialize;
use stackc_plugin_sdk::kube::{check_in_cluster, check_namespace, is_dns_subdomain};
use stackc_plugin_sdk::{Artifact, ConfigError, KubeObject, RenderContext, Templates};

use crate::config::{Config, Rule};

pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("serviceaccount", include_str!("../templates/serviceaccount.yaml.hbs")),
    ("role", include_str!("../templates/role.yaml.hbs")),
    ("rolebinding", include_str!("../templates/rolebinding.yaml.hbs")),
]);

/// The verbs Kubernetes's RBAC knows, and `*`.
const VERBS: [&str; 12] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "bind",
    "escalate",
    "impersonate",
    "*",
];

#[derive(Serialize)]
struct Label {
    key: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Object<'a> {
    name: String,
    namespace: &'a str,
    labels: &'a [Label],
    rules: Vec<RuleData>,
    role_kind: &'static str,
    role: String,
    service_account: bool,
    subject: String,
}

#[derive(Serialize)]
struct RuleData {
    api_groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    errors.extend(check_in_cluster(context, "RBAC objects live"));
    if config.service_account.is_empty() && config.group.is_empty() {
        errors.push(
            ConfigError::service("nobody is granted anything")
                .with_help("add a `service-account \"name\" { rule { … } }` or a `group \"name\" role=\"view\"`"),
        );
    }
    for (name, account) in &config.service_account {
        if !is_dns_subdomain(name) || name.is_empty() {
            errors.push(
                ConfigError::at(&["service-account", name], format!("`{name}` cannot name a ServiceAccount"))
                    .on_key()
                    .with_help("use lower-case letters, digits, `-` and `.`"),
            );
        }
        if account.rule.is_empty() {
            errors.push(ConfigError::at(&["service-account", name], "a service account needs at least one rule"));
        }
        for (index, rule) in account.rule.iter().enumerate() {
            let at = |key: &str| {
                vec!["service-account".to_owned(), name.clone(), "rule".to_owned(), index.to_string(), key.to_owned()]
            };
            if rule.resources.is_empty() || rule.resources.iter().any(|r| r.is_empty()) {
                errors.push(error_at(&at("resources"), "a rule names the resources it is for".to_owned()));
            }
            for verb in rule.verbs.iter().filter(|v| !VERBS.contains(&v.as_str())) {
                errors.push(
                    error_at(&at("verbs"), format!("`{verb}` is not a Kubernetes verb"))
                        .with_help(format!("one of: {}", VERBS.join(", "))),
                );
            }
            if rule.verbs.is_empty() {
                errors.push(error_at(&at("verbs"), "a rule grants at least one verb".to_owned()));
            }
        }
    }
    for name in config.group.keys().filter(|n| n.is_empty() || n.contains(char::is_control)) {
        errors.push(ConfigError::at(&["group", name], format!("`{name}` cannot name a group")).on_key());
    }
    errors
}

fn error_at(path: &[String], message: String) -> ConfigError {
    ConfigError::at(&path.iter().map(String::as_str).collect::<Vec<_>>(), message)
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let labels = [
        Label { key: "app.kubernetes.io/name", value: quote(&context.service) },
        Label { key: "app.kubernetes.io/part-of", value: quote(&context.stack) },
        Label { key: "app.kubernetes.io/managed-by", value: quote("stackc") },
    ];
    let object = |name: String| Object {
        name,
        namespace: &config.namespace,
        labels: &labels,
        rules: Vec::new(),
        role_kind: "Role",
        role: String::new(),
        service_account: false,
        subject: String::new(),
    };
    let mut artifacts = Vec::new();
    for (name, account) in &config.service_account {
        artifacts.push(
            KubeObject::new(
                format!("serviceaccount-{name}"),
                TEMPLATES.render("serviceaccount", &object(name.clone())),
            )
            .into(),
        );
        let role = Object { rules: account.rule.iter().map(rule_data).collect(), ..object(name.clone()) };
        artifacts.push(KubeObject::new(format!("role-{name}"), TEMPLATES.render("role", &role)).into());
        let binding =
            Object { role: name.clone(), service_account: true, subject: name.clone(), ..object(name.clone()) };
        artifacts
            .push(KubeObject::new(format!("rolebinding-{name}"), TEMPLATES.render("rolebinding", &binding)).into());
    }
    for (group, grant) in &config.group {
        let role = grant.role.name();
        let name = format!("{}-{role}", slug(group));
        let binding =
            Object { role_kind: "ClusterRole", role: role.to_owned(), subject: quote(group), ..object(name.clone()) };
        artifacts
            .push(KubeObject::new(format!("rolebinding-{name}"), TEMPLATES.render("rolebinding", &binding)).into());
    }
    artifacts
}

fn rule_data(rule: &Rule) -> RuleData {
    RuleData {
        api_groups: rule.api_groups.iter().map(|s| quote(s)).collect(),
        resources: rule.resources.iter().map(|s| quote(s)).collect(),
        verbs: rule.verbs.iter().map(|s| quote(s)).collect(),
    }
}

/// A group name as part of an object name: lower case, anything else than letters and digits
/// as `-` (group names are free text, `oidc:Developers`).
fn slug(group: &str) -> String {
    let slug: String =
        group.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    slug.trim_matches('-').to_owned()
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    stackc_plugin_sdk::serde_json::to_string(text).expect("strings serialize")
}
