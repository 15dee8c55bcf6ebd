//! The `node-exporter` plugin: Debian's `prometheus-node-exporter` on every host of the
//! service, listening on the host's own address, exported as a `metrics` endpoint that a
//! `prometheus` service turns into a scrape job.

use stackc_plugin_sdk::schemars::JsonSchema;
use stackc_plugin_sdk::serde::Deserialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, Plugin, RenderContext, register_plugin,
};

const PACKAGE: &str = "prometheus-node-exporter";
const DEFAULTS: &str = "/etc/default/prometheus-node-exporter";

/// ```kdl
/// service "node" plugin="node-exporter" on="lab" {
///     port 9100
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub struct Config {
    /// Port of the metrics listener; 9100 by default.
    pub port: Option<u16>,
    /// Extra collectors to enable (`--collector.<name>`), e.g. `systemd`.
    #[serde(default)]
    pub collectors: Vec<String>,
}

impl Config {
    fn port(&self) -> u16 {
        self.port.unwrap_or(9100)
    }
}

pub struct NodeExporter;

impl Plugin for NodeExporter {
    type Config = Config;

    const NAME: &'static str = "node-exporter";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus node exporter (host metrics) on every host";

    fn expose(config: &Config) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![Endpoint::http("metrics", config.port(), "/metrics", EndpointRole::Metrics)],
            facts: Vec::new(),
        })
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        let mut errors = Vec::new();
        for (index, collector) in config.collectors.iter().enumerate() {
            if collector.is_empty() || !collector.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                errors.push(ConfigError::at(
                    &["collectors", &index.to_string()],
                    format!("`{collector}` is not a collector name"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
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
            artifacts.push(Artifact::file_on(&host.name, DEFAULTS, defaults, 0o644));
            artifacts.push(Artifact::http_check(
                format!("{} serves metrics on {}", context.service, host.name),
                format!("http://{authority}/metrics"),
                200,
            ));
        }
        artifacts.push(Artifact::restarted_service(PACKAGE));
        Ok(artifacts)
    }
}

/// `address:port`, with IPv6 addresses in brackets.
fn authority(address: &str, port: u16) -> String {
    if address.contains(':') { format!("[{address}]:{port}") } else { format!("{address}:{port}") }
}

register_plugin!(NodeExporter);
