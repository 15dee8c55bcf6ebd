//! The `ingress-nginx` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;

/// One Helm release of the ingress-nginx chart per service, named after the service: the
/// controller as a Deployment of at least two replicas with a PodDisruptionBudget, behind a
/// Service of type LoadBalancer (`<service>-controller`), serving the IngressClass `class`.
///
/// ```kdl
/// service "ingress" plugin="ingress-nginx" {
///     namespace "ingress-nginx"
///     load-balancer-ip "10.20.0.200"
///     default-class #true
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Kubernetes namespace of the release.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Name of the IngressClass the controller serves; Ingresses name it in
    /// `spec.ingressClassName`.
    #[serde(default = "default_class")]
    pub class: String,
    /// Make the class the cluster's default, for Ingresses that name none.
    #[serde(default)]
    pub default_class: bool,
    /// Controller replicas, spread over nodes; at least 2, so that one can be drained.
    #[serde(default = "default_replicas")]
    pub replicas: i64,
    /// A fixed external address for the LoadBalancer Service, asked of MetalLB with the
    /// annotation `metallb.io/loadBalancerIPs`; one from the pool when absent.
    pub load_balancer_ip: Option<String>,
    /// CPU and memory each controller asks for; the chart's requests (100m, 90Mi) when absent.
    pub resources: Option<Resources>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resources {
    /// CPU request, e.g. `250m`.
    pub cpu: Option<String>,
    /// Memory request, e.g. `256Mi` (no limit, as the chart advises).
    pub memory: Option<String>,
}

fn default_namespace() -> String {
    "ingress-nginx".to_owned()
}

fn default_class() -> String {
    "nginx".to_owned()
}

fn default_replicas() -> i64 {
    2
}
