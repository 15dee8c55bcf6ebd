//! From config to the package's defaults file, which holds the exporter's arguments.

use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, RenderContext, authority};

use crate::config::Config;

const PACKAGE: &str = "prometheus-node-exporter";
const DEFAULTS: &str = "/etc/default/prometheus-node-exporter";

pub fn check(config: &Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (index, collector) in config.collectors.iter().enumerate() {
        if collector.is_empty() || !collector.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            errors.push(ConfigError::at(
                &["collectors", &index.to_string()],
                format!("`{collector}` is not a collector name"),
            ));
        }
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let mut artifacts = vec![Artifact::package(PACKAGE)];
    for host in &context.hosts {
        let authority = authority(&host.address, config.port());
        let mut args = format!("--web.listen-address={authority}");
        for collector in &config.collectors {
            args.push_str(&format!(" --collector.{collector}"));
        }
        let defaults = format!(
            "# Written by stackc for service `{}`: listen on this host's own address only.\nARGS=\"{args}\"\n",
            context.service
        );
        artifacts.push(HostFile::new(DEFAULTS, defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{} serves metrics on {}", context.service, host.name),
            format!("http://{authority}/metrics"),
            200,
        ));
    }
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
}
