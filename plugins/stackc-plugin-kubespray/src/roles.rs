//! Which hosts take which cluster role: each role's list of names, matched against the
//! service's hosts by stack group or host name.

use stackc_plugin_sdk::{ConfigError, HostInfo};

/// The hosts of each role, in stack order.
pub struct Roles<'a> {
    pub control_plane: Vec<&'a HostInfo>,
    pub etcd: Vec<&'a HostInfo>,
    pub workers: Vec<&'a HostInfo>,
}

/// The roles, or every reason they cannot be decided, each at the config path of the list
/// (or the name) it comes from.
pub fn assign<'a>(
    hosts: &'a [HostInfo],
    control_plane: &[String],
    etcd: &[String],
    workers: &[String],
) -> Result<Roles<'a>, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let mut select = |key: &str, names: &[String]| -> Vec<&'a HostInfo> {
        for (i, name) in names.iter().enumerate() {
            if !hosts.iter().any(|h| matches(h, name)) {
                errors.push(
                    ConfigError::at(&[key, &i.to_string()], format!("no host of this service is or is in `{name}`"))
                        .with_help("name a stack group or a host the service is placed on"),
                );
            }
        }
        hosts.iter().filter(|h| names.iter().any(|n| matches(h, n))).collect()
    };
    let control_plane_hosts = select("control-plane", control_plane);
    let etcd_hosts = if etcd.is_empty() { control_plane_hosts.clone() } else { select("etcd", etcd) };
    let worker_hosts = if workers.is_empty() {
        hosts.iter().filter(|h| !control_plane_hosts.iter().any(|c| c.name == h.name)).collect()
    } else {
        select("workers", workers)
    };
    let roles = Roles { control_plane: control_plane_hosts, etcd: etcd_hosts, workers: worker_hosts };
    if roles.control_plane.len() < 2 {
        errors.push(
            ConfigError::at(
                &["control-plane"],
                format!(
                    "{} control-plane host{}: a highly available cluster needs at least 2",
                    roles.control_plane.len(),
                    plural(roles.control_plane.len())
                ),
            )
            .with_help("name a group of at least two hosts (three, with stacked etcd)"),
        );
    }
    if roles.etcd.len().is_multiple_of(2) {
        let path: &[&str] = if etcd.is_empty() { &["control-plane"] } else { &["etcd"] };
        errors.push(
            ConfigError::at(
                path,
                format!(
                    "{} etcd member{}: etcd needs an odd number for a quorum",
                    roles.etcd.len(),
                    plural(roles.etcd.len())
                ),
            )
            .with_help(if etcd.is_empty() {
                "etcd runs on the control-plane hosts unless `etcd` names others: use 3 or 5 of them"
            } else {
                "use 3 or 5 etcd members: an even number tolerates no more failures than one fewer"
            }),
        );
    }
    if roles.workers.is_empty() {
        errors.push(
            ConfigError::at(&["workers"], "no worker hosts: nothing would run workloads")
                .with_help("name the workers' group: `workers \"workers\"`"),
        );
    }
    for host in hosts {
        let has_role =
            [&roles.control_plane, &roles.etcd, &roles.workers].iter().any(|r| r.iter().any(|h| h.name == host.name));
        if !has_role {
            errors.push(ConfigError::service(format!("host `{}` has no role in the cluster", host.name)).with_help(
                "name it or one of its groups in `control-plane`, `etcd` or `workers`, or place the service elsewhere",
            ));
        }
    }
    if errors.is_empty() { Ok(roles) } else { Err(errors) }
}

fn matches(host: &HostInfo, name: &str) -> bool {
    host.name == name || host.groups.iter().any(|g| g == name)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
