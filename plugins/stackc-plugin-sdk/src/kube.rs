//! Checks for names and values Kubernetes accepts, for plugins that emit objects or Helm
//! values: better a diagnostic at the stack file than a rejected apply.

use crate::{ConfigError, RenderContext};

/// Units of memory and storage quantities (`512Mi`, `10Gi`, `1.5G`).
pub const STORAGE_UNITS: [&str; 11] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "k", "M", "G", "T", "P"];

/// A DNS-1123 label: namespaces, most object names, volume names.
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A DNS-1123 subdomain: host names, storage class names.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// An IANA service name: what Kubernetes accepts for port names.
pub fn is_port_name(name: &str) -> bool {
    is_dns_label(name) && name.len() <= 15 && name.bytes().any(|b| b.is_ascii_lowercase()) && !name.contains("--")
}

/// A quantity such as `500m` or `1.5Gi`, with a unit from `units`.
pub fn is_quantity(text: &str, units: &[&str]) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && units.contains(&unit)
}

/// The namespace at `path`, unless it is a DNS-1123 label.
///
/// `errors.extend(kube::check_namespace(&["namespace"], &config.namespace))`
pub fn check_namespace(path: &[&str], namespace: &str) -> Option<ConfigError> {
    (!is_dns_label(namespace)).then(|| {
        ConfigError::at(path, format!("`{namespace}` is not a Kubernetes namespace name"))
            .with_help("use at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit")
    })
}

/// The problems of a container's `resources { cpu …; memory … }`, each at its path: a CPU
/// quantity (`250m`, `1`) and a memory quantity (`256Mi`).
pub fn check_resources(cpu: Option<&str>, memory: Option<&str>) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if let Some(cpu) = cpu.filter(|cpu| !is_quantity(cpu, &["", "m"])) {
        errors.push(
            ConfigError::at(&["resources", "cpu"], format!("`{cpu}` is not a CPU quantity"))
                .with_help("write e.g. `250m` or `1`"),
        );
    }
    if let Some(memory) = memory.filter(|memory| !is_quantity(memory, &STORAGE_UNITS)) {
        errors.push(
            ConfigError::at(&["resources", "memory"], format!("`{memory}` is not a memory quantity"))
                .with_help("write e.g. `256Mi`"),
        );
    }
    errors
}

/// An error when a service that runs in the cluster was placed on hosts or in a Compose
/// project. `what` says what runs, with its verb: `"a Helm release runs"`, `"Kubernetes
/// objects run"`.
pub fn check_in_cluster(context: &RenderContext, what: &str) -> Option<ConfigError> {
    let elsewhere = if context.compose_project.is_some() { "in a Compose project" } else { "on hosts" };
    (!context.in_cluster()).then(|| {
        ConfigError::service(format!("{what} in the cluster, not {elsewhere}"))
            .with_help("remove `on=` from the service")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_quantities() {
        assert!(is_dns_label("redis-0") && !is_dns_label("Redis") && !is_dns_label("-a") && !is_dns_label(""));
        assert!(is_dns_subdomain("app.example.org") && !is_dns_subdomain("a..b"));
        assert!(is_port_name("http") && !is_port_name("a-very-long-port-name") && !is_port_name("80"));
        assert!(is_quantity("1.5Gi", &STORAGE_UNITS) && is_quantity("500m", &["", "m"]));
        assert!(!is_quantity("ten", &STORAGE_UNITS) && !is_quantity("1.Gi", &STORAGE_UNITS));
    }

    #[test]
    fn resources_are_quantities() {
        assert!(check_resources(Some("250m"), Some("1.5Gi")).is_empty());
        let errors = check_resources(Some("lots"), Some("256MB"));
        let paths: Vec<_> = errors.iter().map(|e| e.path.join(".")).collect();
        assert_eq!(paths, ["resources.cpu", "resources.memory"]);
    }

    #[test]
    fn namespaces_and_placement() {
        assert_eq!(check_namespace(&["namespace"], "apps"), None);
        let error = check_namespace(&["scrape", "redis", "namespace"], "Apps").expect("an error");
        assert_eq!(error.path, ["scrape", "redis", "namespace"]);
        assert_eq!(error.message, "`Apps` is not a Kubernetes namespace name");

        let mut context = crate::testing::context("redis", &[]);
        assert_eq!(check_in_cluster(&context, "a Helm release runs"), None);
        context = crate::testing::context("redis", &[("h1", "10.0.0.1")]);
        let error = check_in_cluster(&context, "a Helm release runs").expect("an error");
        assert_eq!(error.message, "a Helm release runs in the cluster, not on hosts");
        assert!(error.path.is_empty());
        context = crate::testing::compose_context("redis", "shop");
        let error = check_in_cluster(&context, "a Helm release runs").expect("an error");
        assert_eq!(error.message, "a Helm release runs in the cluster, not in a Compose project");
    }
}
