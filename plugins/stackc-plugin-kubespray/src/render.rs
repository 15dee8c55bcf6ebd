//! From config and hosts to `inventory.yml` and `group_vars/`. Checks first (each problem a
//! [`ConfigError`] at its config path), then the templates.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostInfo, RenderContext, Templates};

use crate::config::Config;
use crate::roles::{self, Roles};
use crate::yaml::scalar;

/// The Kubespray release the variables are written for (`third_party/kubespray/`).
pub const KUBESPRAY_VERSION: &str = "v2.30.0";

/// The Kubernetes versions Kubespray v2.30.0 can install
/// (`third_party/kubespray/kube-versions.txt`).
pub const KUBE_VERSIONS: [&str; 24] = [
    "1.34.3", "1.34.2", "1.34.1", "1.34.0", "1.33.7", "1.33.6", "1.33.5", "1.33.4", "1.33.3", "1.33.2", "1.33.1",
    "1.33.0", "1.32.11", "1.32.10", "1.32.9", "1.32.8", "1.32.7", "1.32.6", "1.32.5", "1.32.4", "1.32.3", "1.32.2",
    "1.32.1", "1.32.0",
];

/// The pod networks a stack may choose, each with a sample configuration in Kubespray.
const NETWORK_PLUGINS: [&str; 4] = ["calico", "cilium", "flannel", "kube-router"];

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("inventory.yml", include_str!("../templates/inventory.yml.hbs")),
    ("all.yml", include_str!("../templates/all.yml.hbs")),
    ("k8s-cluster.yml", include_str!("../templates/k8s-cluster.yml.hbs")),
    ("addons.yml", include_str!("../templates/addons.yml.hbs")),
]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let roles = roles::assign(&context.hosts, &config.control_plane, &config.etcd, &config.workers)
        .expect("checked: the roles are decided");
    let inventory = inventory(config, context, &roles);
    let vars = Vars {
        kubespray_version: KUBESPRAY_VERSION,
        kube_version: scalar(&config.kube_version),
        network_plugin: scalar(&config.network_plugin),
        cluster_name: scalar(&config.cluster_name),
        service_addresses: scalar(&config.service_addresses),
        pods_subnet: scalar(&config.pods_subnet),
        metrics_server: config.metrics_server,
    };
    vec![
        Artifact::bundle_file("inventory.yml", TEMPLATES.render("inventory.yml", &inventory)),
        Artifact::bundle_file("group_vars/all/all.yml", TEMPLATES.render("all.yml", &vars)),
        Artifact::bundle_file("group_vars/k8s_cluster/k8s-cluster.yml", TEMPLATES.render("k8s-cluster.yml", &vars)),
        Artifact::bundle_file("group_vars/k8s_cluster/addons.yml", TEMPLATES.render("addons.yml", &vars)),
    ]
}

#[derive(Serialize)]
struct Inventory<'a> {
    stack: &'a str,
    service: &'a str,
    bundle_dir: String,
    kubespray_version: &'static str,
    ssh_user: Option<String>,
    hosts: Vec<Host>,
    control_plane: Vec<String>,
    etcd: Vec<String>,
    workers: Vec<String>,
}

#[derive(Serialize)]
struct Host {
    name: String,
    address: String,
    /// The address Kubernetes binds to and advertises, when the host's address is an IP.
    ip: Option<String>,
    etcd_member_name: Option<String>,
}

#[derive(Serialize)]
struct Vars {
    kubespray_version: &'static str,
    kube_version: String,
    network_plugin: String,
    cluster_name: String,
    service_addresses: String,
    pods_subnet: String,
    metrics_server: bool,
}

fn inventory<'a>(config: &Config, context: &'a RenderContext, roles: &Roles<'_>) -> Inventory<'a> {
    let hosts = context
        .hosts
        .iter()
        .map(|host| Host {
            name: scalar(&host.name),
            address: scalar(&host.address),
            ip: host.address.parse::<IpAddr>().is_ok().then(|| scalar(&host.address)),
            etcd_member_name: roles.etcd.iter().position(|h| h.name == host.name).map(|i| format!("etcd{}", i + 1)),
        })
        .collect();
    Inventory {
        stack: &context.stack,
        service: &context.service,
        bundle_dir: format!("services/{}", context.service),
        kubespray_version: KUBESPRAY_VERSION,
        ssh_user: config.ssh_user.as_deref().map(scalar),
        hosts,
        control_plane: names(&roles.control_plane),
        etcd: names(&roles.etcd),
        workers: names(&roles.workers),
    }
}

fn names(hosts: &[&HostInfo]) -> Vec<String> {
    hosts.iter().map(|h| scalar(&h.name)).collect()
}

/// Everything that would make Kubespray refuse the inventory, or build another cluster than
/// the stack describes.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.hosts.is_empty() {
        errors.push(
            ConfigError::service("a kubespray service needs hosts: the cluster's machines")
                .with_help("place it on the machines' group: `on=\"k8s\"`"),
        );
    } else if let Err(found) = roles::assign(&context.hosts, &config.control_plane, &config.etcd, &config.workers) {
        errors.extend(found);
    }
    if !KUBE_VERSIONS.contains(&config.kube_version.as_str()) {
        errors.push(
            ConfigError::at(
                &["kube-version"],
                format!("Kubespray {KUBESPRAY_VERSION} cannot install Kubernetes `{}`", config.kube_version),
            )
            .with_help(format!(
                "versions it can: {} … {}",
                KUBE_VERSIONS[0],
                KUBE_VERSIONS[KUBE_VERSIONS.len() - 1]
            )),
        );
    }
    if !NETWORK_PLUGINS.contains(&config.network_plugin.as_str()) {
        errors.push(
            ConfigError::at(&["network-plugin"], format!("`{}` is not a network plugin", config.network_plugin))
                .with_help(format!("use any of: {}", NETWORK_PLUGINS.join(", "))),
        );
    }
    if !dns_name(&config.cluster_name) {
        errors.push(ConfigError::at(&["cluster-name"], format!("`{}` is not a DNS domain", config.cluster_name)));
    }
    let service = cidr(&["service-addresses"], &config.service_addresses, &mut errors);
    let pods = cidr(&["pods-subnet"], &config.pods_subnet, &mut errors);
    if let (Some(service), Some(pods)) = (service, pods) {
        if overlap(service, pods) {
            errors.push(ConfigError::at(
                &["pods-subnet"],
                format!("`{}` overlaps the service range `{}`", config.pods_subnet, config.service_addresses),
            ));
        }
        for (key, range, text) in
            [("service-addresses", service, &config.service_addresses), ("pods-subnet", pods, &config.pods_subnet)]
        {
            let inside: Vec<&str> = context
                .hosts
                .iter()
                .filter(|h| matches!(h.address.parse(), Ok(IpAddr::V4(a)) if overlap(range, (a, 32))))
                .map(|h| h.name.as_str())
                .collect();
            if !inside.is_empty() {
                errors.push(
                    ConfigError::at(&[key], format!("`{text}` holds the addresses of hosts: {}", inside.join(", ")))
                        .with_help("Kubernetes routes the range inside the cluster: choose one the hosts' network does not use"),
                );
            }
        }
    }
    if let Some(user) = &config.ssh_user
        && !(user.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && user.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c)))
    {
        errors.push(ConfigError::at(&["ssh-user"], format!("`{user}` is not a user name")));
    }
    errors
}

/// An IPv4 range `a.b.c.d/n`; an error at `path` otherwise.
fn cidr(path: &[&str], text: &str, errors: &mut Vec<ConfigError>) -> Option<(Ipv4Addr, u8)> {
    let parsed = text.split_once('/').and_then(|(address, bits)| {
        let address: Ipv4Addr = address.parse().ok()?;
        let bits: u8 = bits.parse().ok().filter(|b| *b <= 32)?;
        Some((address, bits))
    });
    if parsed.is_none() {
        errors.push(
            ConfigError::at(path, format!("`{text}` is not an IPv4 range")).with_help("write it as `10.233.0.0/18`"),
        );
    }
    parsed
}

fn overlap((a, a_bits): (Ipv4Addr, u8), (b, b_bits): (Ipv4Addr, u8)) -> bool {
    let bits = a_bits.min(b_bits);
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    u32::from(a) & mask == u32::from(b) & mask
}

fn dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}
