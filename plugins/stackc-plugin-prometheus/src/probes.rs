//! Probe scrape jobs: entry points probed through a blackbox exporter, one target URL per
//! (host, path), and the checks that make them sound.

use std::collections::BTreeSet;

use serde::Serialize;
use stackc_plugin_sdk::{ConfigError, Ref};

use crate::config::{Config, Probe};

/// The scrape job of probe `name`.
pub fn job_name(name: &str) -> String {
    format!("probe-{name}")
}

/// One probe's scrape job, as template data.
#[derive(Serialize)]
pub struct ProbeJob {
    pub name: String,
    pub job: String,
    /// How Prometheus reaches the exporter.
    scheme: String,
    path: String,
    exporter: String,
    module: String,
    groups: Vec<TargetGroup>,
}

/// The URLs probed on one host of one entry point.
#[derive(Serialize)]
struct TargetGroup {
    entry_point: String,
    host: String,
    urls: Vec<String>,
}

impl ProbeJob {
    /// Render only: `check` has made sure there is one exporter and every target has hosts.
    pub fn new(name: &str, probe: &Probe) -> Self {
        let exporter = &probe.via.endpoints[0];
        let paths: Vec<String> = probe.paths.iter().map(|p| encode_path(p)).collect();
        let groups = probe
            .targets
            .iter()
            .flat_map(|target| {
                target.endpoints.iter().map(|e| TargetGroup {
                    entry_point: target.target.clone(),
                    host: e.host.clone(),
                    urls: paths.iter().map(|p| format!("{}://{}{p}", e.protocol, e.authority())).collect(),
                })
            })
            .collect();
        ProbeJob {
            name: name.to_owned(),
            job: job_name(name),
            scheme: exporter.protocol.clone(),
            path: exporter.path.clone(),
            exporter: exporter.authority(),
            module: probe.module.clone(),
            groups,
        }
    }
}

/// `path` as it goes on the wire: every byte but RFC 3986's unreserved characters,
/// sub-delimiters, `:`, `@`, `/` and `?` is percent-encoded, so non-ASCII text becomes its
/// UTF-8 bytes (`/é` → `/%C3%A9`). A `%` is encoded too: paths are written as text, never
/// pre-encoded.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Names that can be part of a job name and a PromQL string without quoting.
fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Everything that would make a probe job invalid or probe nothing. `taken` holds the job
/// names derived from metrics endpoints.
pub fn check(config: &Config, taken: &BTreeSet<String>, is_duration: fn(&str) -> bool) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (name, probe) in &config.probe {
        let at = |key: &str| vec!["probe".to_owned(), name.clone(), key.to_owned()];
        let error = |path: Vec<String>, message: String| {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            ConfigError::at(&path, message)
        };
        if !is_name(name) {
            errors.push(
                ConfigError::at(&["probe", name], format!("`{name}` cannot name a scrape job"))
                    .on_key()
                    .with_help("use letters, digits, `-`, `_` and `.`"),
            );
        } else if taken.contains(&job_name(name)) {
            errors.push(
                ConfigError::at(&["probe", name], format!("the job `{}` already scrapes a service", job_name(name)))
                    .on_key()
                    .with_help("give the probe another name"),
            );
        }
        match probe.via.endpoints.as_slice() {
            [one] if one.protocol == "http" || one.protocol == "https" => {}
            [one] => errors.push(error(at("via"), format!("`{}` speaks {}, not HTTP", probe.via.target, one.protocol))),
            [] => errors.push(error(at("via"), format!("`{}` has no endpoints", probe.via.target))),
            _ => errors.push(
                error(at("via"), format!("`{}` is on several hosts: probes go through one exporter", probe.via.target))
                    .with_help("place the exporter on one host, or declare one exporter service per host"),
            ),
        }
        for (index, target) in probe.targets.iter().enumerate() {
            let path = vec!["probe".to_owned(), name.clone(), "targets".to_owned(), index.to_string()];
            if target.endpoints.is_empty() {
                errors.push(error(path.clone(), format!("`{}` has no endpoints", target.target)));
            }
            if let Some(e) = target.endpoints.iter().find(|e| e.protocol != "http" && e.protocol != "https") {
                errors.push(error(path, format!("`{}` speaks {}, not HTTP", target.target, e.protocol)));
            }
        }
        if probe.targets.is_empty() {
            errors.push(error(at("targets"), "the probe has no targets".to_owned()));
        }
        for (index, path) in probe.paths.iter().enumerate() {
            if !path.starts_with('/') {
                let key = vec!["probe".to_owned(), name.clone(), "paths".to_owned(), index.to_string()];
                errors.push(error(key, format!("`{path}` is not a path")).with_help("paths start with `/`"));
            }
        }
        if !is_duration(&probe.slower_than) {
            errors.push(
                error(at("slower-than"), format!("`{}` is not a duration", probe.slower_than))
                    .with_help("write e.g. `2s` or `1500ms`"),
            );
        }
        if !is_name(&probe.module) {
            errors.push(error(at("module"), format!("`{}` is not a module name", probe.module)));
        }
    }
    errors
}

/// Each balancer reference must be a metrics endpoint, so that its job is known.
pub fn check_balancers(balancers: &[Ref]) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (index, balancer) in balancers.iter().enumerate() {
        let path = ["balancers".to_owned(), index.to_string()];
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        if balancer.endpoints.is_empty() {
            errors.push(ConfigError::at(&path, format!("`{}` has no endpoints", balancer.target)));
        } else if balancer.endpoints.iter().any(|e| e.role != stackc_plugin_sdk::EndpointRole::Metrics) {
            errors.push(
                ConfigError::at(&path, format!("`{}` is not a metrics endpoint", balancer.target))
                    .with_help(format!("reference the balancer's metrics: `(ref)\"{}.metrics\"`", balancer.service)),
            );
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn non_ascii_and_reserved_bytes_are_percent_encoded() {
        assert_eq!(encode_path("/"), "/");
        assert_eq!(encode_path("/api/v1/items?id=3"), "/api/v1/items?id=3");
        assert_eq!(
            encode_path("/кільце-кільце"),
            "/%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5-%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5"
        );
        assert_eq!(encode_path("/a b#c%\""), "/a%20b%23c%25%22");
    }
}
