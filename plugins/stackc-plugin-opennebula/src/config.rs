//! The `opennebula` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// One OpenNebula virtual machine per host of the service, as Terraform files in the bundle
/// (`services/<service>/*.tf`). The VM takes the host's name and its address as the IP of its
/// one NIC, and the size of the first of the host's groups that has a `size`.
///
/// ```kdl
/// service "machines" plugin="opennebula" on="k8s" {
///     endpoint "https://one.example.org:2633/RPC2"
///     image "ubuntu-24.04"
///     network "k8s"
///     ssh-public-key (file)"keys/deploy.pub"
///     size "control-plane" { cpu 2; memory "4Gi"; disk "40Gi" }
///     size "workers" { cpu 4; memory "8Gi"; disk "80Gi" }
/// }
/// ```
///
/// Credentials are never part of the stack: Terraform asks for the variables
/// `opennebula_username` and `opennebula_password` (`TF_VAR_opennebula_password` in the
/// environment).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The XML-RPC endpoint of OpenNebula's `oned`, e.g. `https://one.example.org:2633/RPC2`.
    pub endpoint: String,
    /// The name of the OpenNebula image every VM boots from (looked up by name, so the
    /// image's ID may differ between clouds).
    pub image: String,
    /// The name of the OpenNebula virtual network the VMs' NICs are on; the hosts' addresses
    /// must be free addresses of one of its address ranges.
    pub network: String,
    /// An OpenSSH public key (the text of a `.pub` file, e.g. `(file)"keys/deploy.pub"`)
    /// that OpenNebula's contextualization authorizes for root on every VM.
    #[serde(default)]
    pub ssh_public_key: Option<String>,
    /// VM sizes by stack group name. A host takes the size of the first of its groups that
    /// has one.
    #[serde(default)]
    pub size: BTreeMap<String, Size>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Size {
    /// CPU cores presented to the VM (`vcpu`); the VM's CPU share (`cpu`) is the same number:
    /// one physical core's worth of time per virtual core.
    pub cpu: u32,
    /// Memory, in `Mi`, `Gi` or `Ti`, e.g. `"4Gi"`.
    pub memory: String,
    /// The size the image's disk is grown to, in `Mi`, `Gi` or `Ti`, e.g. `"40Gi"`.
    pub disk: String,
}
