//! From config to the exporter's module file and the package's defaults file, which holds
//! its listen address.

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, RenderContext, Templates, authority};

use crate::config::Config;

const PACKAGE: &str = "prometheus-blackbox-exporter";
const CONFIG: &str = "/etc/prometheus/blackbox.yml";
/// Debian's unit reads the daemon's `ARGS` from here.
const DEFAULTS: &str = "/etc/default/prometheus-blackbox-exporter";

/// The one module, named as the exporter's examples name it; Prometheus asks for it by name.
pub const MODULE: &str = "http_2xx";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("blackbox.yml", include_str!("../templates/blackbox.yml.hbs"))]);

#[derive(Serialize)]
struct BlackboxYml<'a> {
    service: &'a str,
    module: &'a str,
    timeout: &'a str,
    valid_status_codes: String,
    follow_redirects: bool,
    ip_protocol: &'a str,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let positive = config.timeout.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if !is_duration(&config.timeout) || !positive {
        errors.push(
            ConfigError::at(&["timeout"], format!("`{}` is not a positive duration", config.timeout))
                .with_help("write e.g. `1900ms` or `2s`"),
        );
    }
    for (index, code) in config.valid_status_codes.iter().enumerate() {
        if !(100..=599).contains(code) {
            errors.push(ConfigError::at(
                &["valid-status-codes", &index.to_string()],
                format!("{code} is not an HTTP status"),
            ));
        }
    }
    if context.hosts.is_empty() {
        errors.push(
            ConfigError::service("the blackbox exporter runs on hosts")
                .with_help("place it with `on=\"host-or-group\"`"),
        );
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let codes: Vec<String> = config.valid_status_codes.iter().map(u16::to_string).collect();
    let file = BlackboxYml {
        service: &context.service,
        module: MODULE,
        timeout: &config.timeout,
        valid_status_codes: codes.join(", "),
        follow_redirects: config.follow_redirects,
        ip_protocol: config.ip_protocol.name(),
    };
    let mut artifacts =
        vec![Artifact::package(PACKAGE), Artifact::host_file(CONFIG, TEMPLATES.render("blackbox.yml", &file))];
    for host in &context.hosts {
        let authority = authority(&host.address, config.port);
        let defaults = format!(
            "# Written by stackc for service `{}`: listen on this host's own address only.\nARGS=\"--config.file={CONFIG} --web.listen-address={authority}\"\n",
            context.service
        );
        artifacts.push(HostFile::new(DEFAULTS, defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{} serves metrics on {}", context.service, host.name),
            format!("http://{authority}/metrics"),
            200,
        ));
    }
    // Restarted, not reloaded: a reload (SIGHUP) rereads the modules but not the listen
    // address in `ARGS`. The exporter keeps no state, so a restart loses nothing.
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
}

/// A duration as the program takes it.
fn is_duration(text: &str) -> bool {
    stackc_plugin_sdk::duration::is_duration(text, stackc_plugin_sdk::duration::GO)
}

#[cfg(test)]
mod tests {
    use super::is_duration;

    #[test]
    fn durations() {
        for good in ["1900ms", "2s", "1m30s"] {
            assert!(is_duration(good), "{good}");
        }
        for bad in ["", "2", "s", "1.5s", "2 s", "1d"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
