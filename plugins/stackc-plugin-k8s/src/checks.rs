//! Checks of the pod-level keys: the Service's type, the security context, the disruption
//! budget, the network policy, the pull secret, the entrypoint and the init containers.

use std::collections::BTreeSet;
use std::net::IpAddr;

use stackc_plugin_sdk::ConfigError;
use stackc_plugin_sdk::kube::{is_dns_label, is_dns_subdomain};

use crate::config::{AllowFrom, Config, ServiceType};

/// Largest user and group ID Kubernetes accepts (an `int64` limited to 32 bits).
const MAX_ID: i64 = 2_147_483_647;

pub fn check(config: &Config, service: &str) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut error = |path: &[&str], message: String, help: &str| {
        let e = ConfigError::at(path, message);
        errors.push(if help.is_empty() { e } else { e.with_help(help) });
    };
    if config.command.iter().any(String::is_empty) {
        error(&["command"], "the entrypoint has an empty word".to_owned(), "write e.g. `command \"/app/server\"`");
    }
    if let Some(svc) = &config.service {
        if config.ports.is_empty() {
            error(&["service"], "a Service needs a port".to_owned(), "add `ports { http 8080 }`");
        }
        if let Some(address) = &svc.address {
            if address.parse::<IpAddr>().is_err() {
                error(
                    &["service", "address"],
                    format!("`{address}` is not an IPv4 or IPv6 address"),
                    "write e.g. `10.20.0.201`; MetalLB announces it",
                );
            }
            if svc.kind != ServiceType::LoadBalancer {
                error(
                    &["service", "address"],
                    "only a load balancer has an address of its own".to_owned(),
                    "add `type \"load-balancer\"`",
                );
            }
        }
    }
    let security = &config.security;
    for (key, id) in [("run-as-user", security.run_as_user), ("fs-group", security.fs_group)] {
        if let Some(id) = id
            && !(0..=MAX_ID).contains(&id)
        {
            error(&["security", key], format!("{id} is not a user or group ID"), "IDs go from 0 to 2147483647");
        }
    }
    if security.run_as_user == Some(0) {
        error(
            &["security", "run-as-user"],
            "user 0 is root".to_owned(),
            if security.run_as_root {
                "leave `run-as-user` out: `run-as-root` runs the image's user"
            } else {
                "pick an unprivileged user, e.g. 10001"
            },
        );
    }
    if let Some(disruption) = &config.disruption {
        let replicas = config.autoscale.as_ref().map_or(config.replicas, |a| a.min);
        match (disruption.min_available, disruption.max_unavailable) {
            (Some(_), Some(_)) | (None, None) => error(
                &["disruption"],
                "a disruption budget has either `min-available` or `max-unavailable`".to_owned(),
                "write e.g. `disruption { min-available 1 }`",
            ),
            (Some(min), None) if min < 0 || min >= replicas => error(
                &["disruption", "min-available"],
                format!("{min} available out of {replicas} replicas would block every node drain"),
                "keep `min-available` at least 0 and below `replicas` (or `autoscale`'s `min`)",
            ),
            (None, Some(max)) if max < 1 => error(
                &["disruption", "max-unavailable"],
                format!("{max} unavailable would block every node drain"),
                "let at least one pod be evicted at a time",
            ),
            _ => {}
        }
    }
    if let Some(policy) = config.network_policy.as_ref().and_then(|p| p.rules()) {
        for from in &policy.allow_from {
            match from {
                AllowFrom::Name(name) if !is_dns_label(name) => error(
                    &["network-policy", "allow-from"],
                    format!("`{name}` cannot name a service in the cluster"),
                    "name a service of the stack, or write `(ref)\"service.export\"`",
                ),
                AllowFrom::Ref(r) if r.endpoints.iter().all(|e| e.in_cluster.is_none()) => error(
                    &["network-policy", "allow-from"],
                    format!("`{}` has no pods in the cluster", r.target),
                    "a NetworkPolicy admits pods; reference a service whose plugin runs it in the cluster",
                ),
                _ => {}
            }
        }
        if !is_dns_label(&policy.ingress_namespace) {
            error(
                &["network-policy", "ingress-namespace"],
                format!("`{}` is not a namespace", policy.ingress_namespace),
                "",
            );
        }
    }
    for secret in config.image_pull_secrets.iter().filter(|s| !is_dns_subdomain(s)) {
        error(
            &["image-pull-secrets"],
            format!("`{secret}` is not a Secret name"),
            "name the docker-registry Secret, e.g. `registry-credentials`",
        );
    }
    let mut names = BTreeSet::from([service.to_owned()]);
    for (i, init) in config.init.iter().enumerate() {
        let index = i.to_string();
        let name = init_name(init.name.as_deref(), i);
        if !is_dns_label(&name) {
            error(&["init", &index, "name"], format!("`{name}` cannot name a container"), "");
        } else if !names.insert(name.clone()) {
            error(
                &["init", &index, "name"],
                format!("`{name}` names another container of the pod"),
                "give every init container its own name",
            );
        }
        if let Some(image) = &init.image
            && (image.is_empty() || image.contains(char::is_whitespace))
        {
            error(&["init", &index, "image"], format!("`{image}` is not a container image"), "");
        }
        if init.command.iter().chain(&init.args).any(String::is_empty) {
            error(&["init", &index], "an init container's command has an empty word".to_owned(), "");
        }
    }
    errors
}

/// An init container's name: its own, or `init-<n>` counting from 1.
pub fn init_name(name: Option<&str>, index: usize) -> String {
    name.map_or_else(|| format!("init-{}", index + 1), str::to_owned)
}
