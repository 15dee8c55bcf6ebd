//! The `k8s` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// One application: a workload, its Service and what they need.
///
/// ```kdl
/// service "api" plugin="k8s" {
///     namespace "apps"
///     image "registry.example.org/api:1.4.2"
///     ports { http 8080; metrics 9100 }
///     health "/healthz"
///     env {
///         LOG_LEVEL "info"
///         DB_PASSWORD (secret)"db-password"
///         PROMETHEUS_URL (ref)"prometheus.url"
///     }
///     files "/etc/api" { "api.toml" "workers = 4\n" }
///     resources { cpu "250m"; memory "256Mi" }
///     ingress { host "api.example.org"; port "http" }
///     autoscale { min 2; max 6; cpu 70 }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of every object.
    pub namespace: String,
    /// Container image, with a tag or digest.
    pub image: String,
    /// `deployment` (default) or `statefulset` (needed for `volume`).
    #[serde(default)]
    pub kind: Kind,
    /// Pods to run (the minimum, with `autoscale`).
    #[serde(default = "default_replicas")]
    pub replicas: i64,
    /// Container arguments, replacing the image's default command arguments.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<String>")]
    pub args: Vec<String>,
    /// Container ports by name (`ports { http 8080 }`); each is a Service port and an export
    /// of the same name (`metrics` has the metrics role).
    #[serde(default)]
    pub ports: BTreeMap<String, i64>,
    /// HTTP path of the readiness and liveness probes, on the first port.
    pub health: Option<String>,
    /// Environment variables: literals, `(secret)"name"` (read through the service's Secret,
    /// filled at deploy time) or `(ref)"service.export"` (a fact's value, or the endpoint's URL).
    #[serde(default)]
    pub env: BTreeMap<String, EnvValue>,
    /// Config files by directory: `files "/etc/app" { "app.conf" "…" }`, mounted read-only
    /// from the service's ConfigMap.
    #[serde(default)]
    pub files: BTreeMap<String, BTreeMap<String, String>>,
    /// Persistent volumes by name (StatefulSet only), one claim per pod.
    #[serde(default)]
    pub volume: BTreeMap<String, Volume>,
    /// Resource requests (and the memory limit) of the container.
    pub resources: Option<Resources>,
    /// An Ingress to one of the ports.
    pub ingress: Option<Ingress>,
    /// A HorizontalPodAutoscaler on CPU use; needs `resources { cpu … }`.
    pub autoscale: Option<Autoscale>,
    /// Rules of a Role bound to the service's ServiceAccount.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<Rule>")]
    pub rule: Vec<Rule>,
}

fn default_replicas() -> i64 {
    1
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    #[default]
    Deployment,
    Statefulset,
}

/// An environment variable's value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a string, a number, a `(secret)` or a `(ref)`")]
pub enum EnvValue {
    Secret(SecretRef),
    Ref(Box<Ref>),
    Text(String),
    Number(i64),
    Bool(bool),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Volume {
    /// Where the volume is mounted in the container.
    pub mount: String,
    #[serde(default = "default_size")]
    pub size: String,
    /// Storage class; the cluster's default when absent.
    pub storage_class: Option<String>,
}

fn default_size() -> String {
    "1Gi".to_owned()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resources {
    /// CPU request, e.g. `250m`.
    pub cpu: Option<String>,
    /// Memory request and limit, e.g. `256Mi`.
    pub memory: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Ingress {
    /// Host name clients use.
    pub host: String,
    /// Path prefix.
    #[serde(default = "default_path")]
    pub path: String,
    /// Name of the port to route to; the first port by default.
    pub port: Option<String>,
    /// IngressClass; the cluster's default when absent.
    pub class: Option<String>,
    /// Name of an existing TLS Secret (`kubernetes.io/tls`) for `host`: HTTPS with it.
    pub tls: Option<String>,
}

fn default_path() -> String {
    "/".to_owned()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Autoscale {
    pub min: i64,
    pub max: i64,
    /// Target average CPU use, in percent of the request.
    #[serde(default = "default_cpu_target")]
    pub cpu: i64,
}

fn default_cpu_target() -> i64 {
    80
}

/// A Role rule: `rule { api-groups ""; resources "configmaps"; verbs "get" "list" }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    /// API groups; `""` is the core group.
    #[serde(default = "core_group", deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<String>")]
    pub api_groups: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<String>")]
    pub resources: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<String>")]
    pub verbs: Vec<String>,
}

fn core_group() -> Vec<String> {
    vec![String::new()]
}
