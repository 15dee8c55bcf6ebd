//! The `kube-access` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// ```kdl
/// service "access" plugin="kube-access" {
///     namespace "tasktracker"
///     service-account "gitlab-deployer" {
///         rule { api-groups "apps"; resources "deployments"; verbs "get" "list" "create" "patch" }
///         rule { resources "services" "configmaps"; verbs "get" "list" "create" "patch" }
///     }
///     group "developers" role="view"
///     group "operators" role="edit"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The namespace every grant is limited to.
    pub namespace: String,
    /// Service accounts by name, each with the rules of a Role of the same name.
    #[serde(default)]
    pub service_account: BTreeMap<String, ServiceAccount>,
    /// Groups of people by the name the cluster's authenticator gives them, each with a
    /// built-in role in the namespace.
    #[serde(default)]
    pub group: BTreeMap<String, Group>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServiceAccount {
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Rule>")]
    pub rule: Vec<Rule>,
}

/// A Role rule: `rule { api-groups "apps"; resources "deployments"; verbs "get" "patch" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    /// API groups; `""`, the core group, by default.
    #[serde(default = "core_group", deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub api_groups: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub resources: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub verbs: Vec<String>,
}

fn core_group() -> Vec<String> {
    vec![String::new()]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    /// `view` (read, no Secrets), `edit` (change workloads) or `admin` (also grant roles in the
    /// namespace).
    pub role: BuiltinRole,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltinRole {
    View,
    Edit,
    Admin,
}

impl BuiltinRole {
    pub fn name(self) -> &'static str {
        match self {
            BuiltinRole::View => "view",
            BuiltinRole::Edit => "edit",
            BuiltinRole::Admin => "admin",
        }
    }
}
