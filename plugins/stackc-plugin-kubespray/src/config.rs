//! The `kubespray` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// A Kubernetes cluster on the service's hosts, deployed by Kubespray: `inventory.yml` and
/// `group_vars/` in the bundle (`services/<service>/`), for
/// `ansible-playbook -i services/<service>/inventory.yml cluster.yml` run from a Kubespray
/// checkout of the release the versions are pinned for.
///
/// ```kdl
/// service "cluster" plugin="kubespray" on="k8s" {
///     control-plane "control-plane"
///     etcd "control-plane"
///     workers "workers"
/// }
/// ```
///
/// Each role lists stack group or host names; the hosts of the service they match take the
/// role. A highly available cluster needs at least two control-plane hosts and an odd number
/// of etcd members; every host of the service needs a role.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The hosts that run the API server, scheduler and controller manager
    /// (`kube_control_plane`).
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub control_plane: Vec<String>,
    /// The etcd members (`etcd`); the control-plane hosts by default (stacked etcd).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub etcd: Vec<String>,
    /// The hosts that run workloads (`kube_node`); the hosts that are not control-plane
    /// hosts by default.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub workers: Vec<String>,
    /// The Kubernetes version (`kube_version`); Kubespray 2.30.0's default, 1.34.3, unless
    /// given. It must be one that Kubespray release has checksums for.
    #[serde(default = "default_kube_version")]
    pub kube_version: String,
    /// The pod network (`kube_network_plugin`): `calico` (default), `cilium`, `flannel` or
    /// `kube-router`.
    #[serde(default = "default_network_plugin")]
    pub network_plugin: String,
    /// The cluster's DNS domain (`cluster_name`); services are reached as
    /// `<service>.<namespace>.svc.<cluster-name>`. `cluster.local` by default, the domain
    /// stackc's references to cluster services resolve to.
    #[serde(default = "default_cluster_name")]
    pub cluster_name: String,
    /// The range Service IPs are allocated from (`kube_service_addresses`).
    #[serde(default = "default_service_addresses")]
    pub service_addresses: String,
    /// The range pod IPs are allocated from (`kube_pods_subnet`); it must not overlap the
    /// service range or the hosts' network.
    #[serde(default = "default_pods_subnet")]
    pub pods_subnet: String,
    /// Whether Kubespray installs metrics-server (`metrics_server_enabled`), which
    /// HorizontalPodAutoscalers read; on by default.
    #[serde(default = "default_true")]
    pub metrics_server: bool,
    /// The user Ansible logs in as on the hosts (`ansible_user`); Ansible's default (the
    /// local user name) when not given.
    #[serde(default)]
    pub ssh_user: Option<String>,
}

/// The default of Kubespray 2.30.0 (`third_party/kubespray/`).
pub const KUBE_VERSION: &str = "1.34.3";

fn default_kube_version() -> String {
    KUBE_VERSION.to_owned()
}

fn default_network_plugin() -> String {
    "calico".to_owned()
}

fn default_cluster_name() -> String {
    "cluster.local".to_owned()
}

fn default_service_addresses() -> String {
    "10.233.0.0/18".to_owned()
}

fn default_pods_subnet() -> String {
    "10.233.64.0/18".to_owned()
}

fn default_true() -> bool {
    true
}
