//! From config and hosts to `main.tf`, `variables.tf` and `outputs.tf`. Checks first (each
//! problem a [`ConfigError`] at its config path, or at the service for a host's), then the
//! templates, which write what `terraform fmt` would.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostInfo, RenderContext, Templates};

use crate::config::{Config, Size};
use crate::hcl::{self, Attribute};
use crate::size::mebibytes;

/// The provider version the files pin, whose schema `third_party/opennebula-provider/` holds.
pub const PROVIDER_VERSION: &str = "1.5.0";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("main.tf", include_str!("../templates/main.tf.hbs")),
    ("variables.tf", include_str!("../templates/variables.tf.hbs")),
    ("outputs.tf", include_str!("../templates/outputs.tf.hbs")),
]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let vms: Vec<Vm> = context.hosts.iter().map(|host| Vm::new(config, host)).collect();
    let addresses = hcl::aligned(
        vms.iter()
            .map(|vm| {
                let attribute = if vm.ipv6 { "computed_ip6" } else { "computed_ip" };
                (vm.name.clone(), format!("opennebula_virtual_machine.{}.nic[0].{attribute}", vm.label))
            })
            .collect(),
    );
    let main = MainTf {
        stack: &context.stack,
        service: &context.service,
        stack_string: hcl::string(&context.stack),
        service_string: hcl::string(&context.service),
        provider_version: PROVIDER_VERSION,
        endpoint: hcl::string(&config.endpoint),
        image: hcl::string(&config.image),
        network: hcl::string(&config.network),
        vms,
    };
    vec![
        Artifact::bundle_file("main.tf", TEMPLATES.render("main.tf", &main)),
        Artifact::bundle_file("variables.tf", TEMPLATES.render("variables.tf", &())),
        Artifact::bundle_file("outputs.tf", TEMPLATES.render("outputs.tf", &Outputs { addresses })),
    ]
}

#[derive(Serialize)]
struct MainTf<'a> {
    stack: &'a str,
    service: &'a str,
    stack_string: String,
    service_string: String,
    provider_version: &'static str,
    endpoint: String,
    image: String,
    network: String,
    vms: Vec<Vm>,
}

#[derive(Serialize)]
struct Vm {
    label: String,
    name: String,
    #[serde(skip)]
    ipv6: bool,
    cpu: u32,
    memory: u64,
    disk: u64,
    context: Vec<Attribute>,
    nic: Vec<Attribute>,
    groups: String,
}

impl Vm {
    /// Only after `check` passed: every host has a size and an IP address.
    fn new(config: &Config, host: &HostInfo) -> Self {
        let (_, size) = size_of(config, host).expect("checked: every host has a size");
        let ipv6 = matches!(host.address.parse(), Ok(IpAddr::V6(_)));
        // OpenNebula's contextualization packages read these: configure the NIC from the
        // virtual network, name the machine after the VM, authorize the key for root.
        let mut context =
            vec![("NETWORK".to_owned(), hcl::string("YES")), ("SET_HOSTNAME".to_owned(), hcl::string(&host.name))];
        if let Some(key) = &config.ssh_public_key {
            context.push(("SSH_PUBLIC_KEY".to_owned(), hcl::string(key.trim())));
        }
        let nic = vec![
            ("network_id".to_owned(), "data.opennebula_virtual_network.cluster.id".to_owned()),
            ((if ipv6 { "ip6" } else { "ip" }).to_owned(), hcl::string(&host.address)),
        ];
        Vm {
            label: hcl::identifier(&host.name),
            name: hcl::string(&host.name),
            ipv6,
            cpu: size.cpu,
            memory: mebibytes(&size.memory).expect("checked"),
            disk: mebibytes(&size.disk).expect("checked"),
            context: hcl::aligned(context),
            nic: hcl::aligned(nic),
            groups: hcl::string(&host.groups.join(",")),
        }
    }
}

#[derive(Serialize)]
struct Outputs {
    addresses: Vec<Attribute>,
}

/// The first of the host's groups that has a size, with its size.
fn size_of<'a>(config: &'a Config, host: &HostInfo) -> Option<(&'a str, &'a Size)> {
    host.groups.iter().find_map(|group| config.size.get_key_value(group).map(|(name, size)| (name.as_str(), size)))
}

/// Everything that would make Terraform or OpenNebula refuse the files, or build other VMs
/// than the hosts say.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.hosts.is_empty() {
        errors.push(
            ConfigError::service("an opennebula service needs hosts: one VM is made for each")
                .with_help("place it on the machines' group: `on=\"k8s\"`"),
        );
    }
    check_endpoint(&mut errors, &config.endpoint);
    for (key, value) in [("image", &config.image), ("network", &config.network)] {
        if value.trim().is_empty() {
            errors.push(ConfigError::at(&[key], format!("`{key}` names nothing")));
        }
    }
    if let Some(key) = &config.ssh_public_key {
        check_public_key(&mut errors, key);
    }
    for (name, size) in &config.size {
        check_size(&mut errors, name, size);
        if !context.hosts.iter().any(|h| h.groups.contains(name)) {
            errors.push(
                ConfigError::at(&["size", name], format!("no host of this service is in group `{name}`"))
                    .on_key()
                    .with_help(format!("groups of its hosts: {}", group_names(context).join(", "))),
            );
        }
    }
    let mut labels: BTreeMap<String, &str> = BTreeMap::new();
    for host in &context.hosts {
        if size_of(config, host).is_none() {
            let groups = if host.groups.is_empty() { "none".to_owned() } else { host.groups.join(", ") };
            errors.push(
                ConfigError::service(format!(
                    "host `{}` has no size: none of its groups ({groups}) has one",
                    host.name
                ))
                .with_help(format!(
                    "add `size \"{}\" {{ cpu 2; memory \"4Gi\"; disk \"40Gi\" }}`",
                    host.groups.first().map_or("group", String::as_str)
                )),
            );
        }
        if host.address.parse::<IpAddr>().is_err() {
            errors.push(
                ConfigError::service(format!("host `{}` has address `{}`, not an IP address", host.name, host.address))
                    .with_help("a VM's NIC takes its IP from the host's address: give the host an IP address"),
            );
        }
        if let Some(other) = labels.insert(hcl::identifier(&host.name), &host.name) {
            errors.push(ConfigError::service(format!(
                "hosts `{other}` and `{}` make the same Terraform resource name",
                host.name
            )));
        }
    }
    errors
}

fn group_names(context: &RenderContext) -> Vec<&str> {
    let mut names: Vec<&str> = context.hosts.iter().flat_map(|h| h.groups.iter().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn check_endpoint(errors: &mut Vec<ConfigError>, endpoint: &str) {
    let rest = endpoint.strip_prefix("https://").or_else(|| endpoint.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace)) {
        errors.push(
            ConfigError::at(&["endpoint"], format!("`{endpoint}` is not an http(s) URL"))
                .with_help("OpenNebula's XML-RPC endpoint: `https://one.example.org:2633/RPC2`"),
        );
    }
}

/// One line of `<type> <base64> [comment]`, the form of an OpenSSH `.pub` file.
fn check_public_key(errors: &mut Vec<ConfigError>, key: &str) {
    let key = key.trim();
    let mut fields = key.split_whitespace();
    let kind = fields.next().unwrap_or("");
    let data = fields.next().unwrap_or("");
    let known = kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
    let base64 = !data.is_empty() && data.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
    if key.contains("PRIVATE KEY") {
        errors.push(
            ConfigError::at(&["ssh-public-key"], "this is a private key")
                .with_help("give the `.pub` file: the private key must never reach the bundle"),
        );
    } else if key.lines().count() != 1 || !known || !base64 {
        errors.push(
            ConfigError::at(&["ssh-public-key"], "not an OpenSSH public key")
                .with_help("give one line of a `.pub` file, e.g. `(file)\"keys/deploy.pub\"`"),
        );
    }
}

fn check_size(errors: &mut Vec<ConfigError>, name: &str, size: &Size) {
    if size.cpu == 0 {
        errors.push(ConfigError::at(&["size", name, "cpu"], "a VM needs at least one CPU"));
    }
    for (key, value) in [("memory", &size.memory), ("disk", &size.disk)] {
        if mebibytes(value).is_none() {
            errors.push(
                ConfigError::at(&["size", name, key], format!("`{value}` is not a size"))
                    .with_help("a whole number of `Mi`, `Gi` or `Ti`, e.g. `\"4Gi\"`"),
            );
        }
    }
}
