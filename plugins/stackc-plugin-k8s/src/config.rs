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
///     disruption { min-available 1 }
///     network-policy { allow-from "web" (ref)"prometheus.http" }
///     image-pull-secrets "registry-credentials"
///     init { command "python" "-m" "api.migrate" }
/// }
/// ```
///
/// Pods run as a non-root user with no capabilities and the runtime's seccomp profile unless
/// `security { run-as-root #true }` says otherwise.
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
    /// The container's entrypoint, replacing the image's (`command "/app/server"`); `args`
    /// follow it.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub command: Vec<String>,
    /// Container arguments, replacing the image's default command arguments.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub args: Vec<String>,
    /// Container ports by name (`ports { http 8080 }`); each is a Service port and an export
    /// of the same name (`metrics` has the metrics role).
    #[serde(default)]
    pub ports: BTreeMap<String, i64>,
    /// HTTP path of the readiness and liveness probes, on the first port.
    pub health: Option<String>,
    /// HTTP path of Prometheus metrics on the first port, for an application that serves them
    /// beside its API (a port named `metrics` is one of their own): exported as `metrics`.
    pub metrics: Option<String>,
    /// Environment variables: literals, `(secret)"name"` (read through the service's Secret,
    /// filled at deploy time) or `(ref)"service.export"` (a fact's value, or the endpoint's URL).
    #[serde(default)]
    pub env: BTreeMap<String, EnvValue>,
    /// Where the literal and `(ref)` values of `env` go: `inline` (default) into the container,
    /// or `config-map`: into a ConfigMap `<service>-env` that the containers read with
    /// `envFrom`, so that operators see and change a service's settings in one object.
    /// Secrets stay references to the Secret either way.
    #[serde(default)]
    pub env_from: EnvFrom,
    /// Config files by directory: `files "/etc/app" { "app.conf" "…" }`, mounted read-only
    /// from the service's ConfigMap.
    #[serde(default)]
    pub files: BTreeMap<String, BTreeMap<String, String>>,
    /// Persistent volumes by name (StatefulSet only), one claim per pod.
    #[serde(default)]
    pub volume: BTreeMap<String, Volume>,
    /// Resource requests (and the memory limit) of the container.
    pub resources: Option<Resources>,
    /// The Service in front of the ports: `service { type "load-balancer"; address
    /// "10.20.0.201" }`. A StatefulSet also gets a headless Service `<service>-headless`
    /// that names its pods.
    pub service: Option<Service>,
    /// An Ingress to one of the ports.
    pub ingress: Option<Ingress>,
    /// A HorizontalPodAutoscaler on CPU use; needs `resources { cpu … }`.
    pub autoscale: Option<Autoscale>,
    /// Rules of a Role bound to the service's ServiceAccount.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Rule>")]
    pub rule: Vec<Rule>,
    /// The pods' and containers' security context.
    #[serde(default)]
    pub security: Security,
    /// A PodDisruptionBudget, so that draining nodes keeps enough pods running.
    pub disruption: Option<Disruption>,
    /// A NetworkPolicy that admits traffic to the pods only from the pods of the services it
    /// names (and from the ingress controller, with `ingress`); `network-policy` alone admits
    /// only the ingress controller.
    pub network_policy: Option<NetworkPolicySwitch>,
    /// Names of docker-registry Secrets (`kubectl create secret docker-registry …`, made at
    /// deploy time) the pods pull the images of a private registry with; the stack holds no
    /// registry credential.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub image_pull_secrets: Vec<String>,
    /// Init containers, run in order before the main container starts (waiting for a
    /// database, running migrations): `init { image "busybox:1.36"; command "sh" "-c" "…" }`.
    /// They have the main container's environment and config files.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<Init>")]
    pub init: Vec<Init>,
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

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnvFrom {
    #[default]
    Inline,
    ConfigMap,
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

/// The Service in front of the ports.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Service {
    /// `cluster-ip` (default): reachable inside the cluster; `load-balancer`: also from
    /// outside, on an address the cluster's load balancer (MetalLB) announces.
    #[serde(default, rename = "type")]
    pub kind: ServiceType,
    /// The load balancer's IPv4 or IPv6 address (MetalLB's `metallb.io/loadBalancerIPs`);
    /// one from MetalLB's pools when absent.
    pub address: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceType {
    #[default]
    ClusterIp,
    LoadBalancer,
}

/// The security context of the pods and of every container.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Security {
    /// User ID the containers run as; the image's user when absent (which must not be root).
    pub run_as_user: Option<i64>,
    /// Group ID that owns the pods' volumes.
    pub fs_group: Option<i64>,
    /// Mount the containers' root filesystems read-only (volumes and config files stay
    /// mounted); the application must then write only to volumes.
    #[serde(default)]
    pub read_only_root: bool,
    /// Discouraged: let the containers run as root, with the image's default capabilities,
    /// for images that cannot run otherwise. The seccomp profile and the ban on privilege
    /// escalation stay.
    #[serde(default)]
    pub run_as_root: bool,
}

/// At least `min-available` pods, or at most `max-unavailable` pods down, during voluntary
/// disruptions (node drains); exactly one of the two.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Disruption {
    pub min_available: Option<i64>,
    pub max_unavailable: Option<i64>,
}

/// `network-policy` alone, or with the services it admits.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "`network-policy` alone or a block such as `{ allow-from \"web\" }`")]
pub enum NetworkPolicySwitch {
    On(bool),
    Rules(NetworkPolicy),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NetworkPolicy {
    /// Services of the stack whose pods may connect: a name (a service in the same
    /// namespace) or a `(ref)` to one of its endpoints (a service in any namespace).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<AllowFrom>")]
    pub allow_from: Vec<AllowFrom>,
    /// Namespace of the ingress controller, admitted to the Ingress's port when there is
    /// an `ingress`.
    #[serde(default = "default_ingress_namespace")]
    pub ingress_namespace: String,
}

fn default_ingress_namespace() -> String {
    "ingress-nginx".to_owned()
}

impl NetworkPolicySwitch {
    /// The policy's rules, if there is a policy: `network-policy` alone admits no service.
    pub fn rules(&self) -> Option<std::borrow::Cow<'_, NetworkPolicy>> {
        match self {
            NetworkPolicySwitch::On(false) => None,
            NetworkPolicySwitch::On(true) => Some(std::borrow::Cow::Owned(NetworkPolicy {
                allow_from: Vec::new(),
                ingress_namespace: default_ingress_namespace(),
            })),
            NetworkPolicySwitch::Rules(rules) => Some(std::borrow::Cow::Borrowed(rules)),
        }
    }
}

/// A service whose pods a NetworkPolicy admits.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a service name or a `(ref)` to one of its endpoints")]
pub enum AllowFrom {
    Ref(Box<Ref>),
    Name(String),
}

/// An init container.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Init {
    /// Container name; `init-1`, `init-2`, … in order when absent.
    pub name: Option<String>,
    /// Image; the main container's when absent (migrations ship with the application).
    pub image: Option<String>,
    /// Entrypoint; the image's when absent.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub command: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub args: Vec<String>,
}
