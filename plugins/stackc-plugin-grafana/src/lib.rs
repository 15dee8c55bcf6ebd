//! The `grafana` plugin: Grafana from Grafana's own APT repository (Debian has no package),
//! a Prometheus datasource provisioned from a reference such as `(ref)"prometheus.http"`, and
//! a provisioned host dashboard (load, CPU, memory, network per host from node-exporter).

pub mod dashboard;

use stackc_plugin_sdk::schemars::JsonSchema;
use stackc_plugin_sdk::serde::{Deserialize, Serialize};
use stackc_plugin_sdk::{
    AptRepository, Artifact, ConfigError, Endpoint, EndpointRole, Exports, Plugin, Ref, RenderContext, Templates,
    register_plugin, serde_json,
};

const PACKAGE: &str = "grafana";
const SERVICE: &str = "grafana-server";
const DATASOURCES: &str = "/etc/grafana/provisioning/datasources/stackc.yaml";
const PROVIDERS: &str = "/etc/grafana/provisioning/dashboards/stackc.yaml";
const DASHBOARDS: &str = "/var/lib/grafana/dashboards";
const DATASOURCE_UID: &str = "stackc-prometheus";

/// ```kdl
/// service "grafana" plugin="grafana" on="mon1" {
///     datasource (ref)"prometheus.http"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub struct Config {
    /// The Prometheus to query, e.g. `(ref)"prometheus.http"`.
    pub datasource: Ref,
    /// Port of the web UI; 3000 by default.
    pub port: Option<u16>,
    /// The Prometheus scrape interval, Grafana's minimum step; `15s` by default.
    pub scrape_interval: Option<String>,
    /// Folder of the provisioned dashboards; `stackc` by default.
    pub folder: Option<String>,
}

impl Config {
    fn port(&self) -> u16 {
        self.port.unwrap_or(3000)
    }
}

pub struct Grafana;

/// Parsed once, ahead of time (see `Templates`).
static TEMPLATES: Templates = Templates::embedded(&[
    ("datasource", include_str!("../templates/datasource.yaml.hbs")),
    ("dashboards", include_str!("../templates/dashboards.yaml.hbs")),
    ("defaults", include_str!("../templates/grafana-server.hbs")),
]);

impl Plugin for Grafana {
    type Config = Config;

    const NAME: &'static str = "grafana";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Grafana with a provisioned Prometheus datasource and host dashboard";

    fn templates() -> &'static Templates {
        &TEMPLATES
    }

    fn expose(config: &Config) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("http", config.port(), "/", EndpointRole::Service),
                Endpoint::http("metrics", config.port(), "/metrics", EndpointRole::Metrics),
            ],
            facts: Vec::new(),
        })
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        let Some(prometheus) = config.datasource.endpoints.first() else {
            return Err(vec![ConfigError::at(
                &["datasource"],
                format!("`{}` has no endpoints", config.datasource.target),
            )]);
        };
        let templates = &TEMPLATES;
        let service = &context.service;
        let datasource = Datasource {
            service,
            name: format!("Prometheus ({})", config.datasource.service),
            uid: DATASOURCE_UID,
            url: prometheus.url(),
            scrape_interval: config.scrape_interval.as_deref().unwrap_or("15s"),
        };
        let providers = Providers { service, folder: config.folder.as_deref().unwrap_or("stackc"), path: DASHBOARDS };
        let board = dashboard::dashboard(&format!("{service}-hosts"), "Hosts (node exporter)", DATASOURCE_UID);
        let mut board = serde_json::to_string_pretty(&board).expect("JSON");
        board.push('\n');

        let mut artifacts = vec![
            Artifact::AptRepository(AptRepository {
                name: "grafana".to_owned(),
                uris: "https://apt.grafana.com".to_owned(),
                suites: "stable".to_owned(),
                components: "main".to_owned(),
                signed_by: "https://apt.grafana.com/gpg.key".to_owned(),
            }),
            Artifact::package(PACKAGE),
            Artifact::host_file(DATASOURCES, templates.render("datasource", &datasource)),
            Artifact::host_file(PROVIDERS, templates.render("dashboards", &providers)),
            Artifact::host_file(format!("{DASHBOARDS}/hosts.json"), board),
        ];
        for host in &context.hosts {
            let defaults = Defaults { service, address: &host.address, port: config.port() };
            artifacts.push(Artifact::file_on(
                &host.name,
                "/etc/default/grafana-server",
                templates.render("defaults", &defaults),
                0o644,
            ));
            let authority =
                if host.address.contains(':') { format!("[{}]", host.address) } else { host.address.clone() };
            artifacts.push(Artifact::http_check(
                format!("{service} is healthy on {}", host.name),
                format!("http://{authority}:{}/api/health", config.port()),
                200,
            ));
        }
        artifacts.push(Artifact::restarted_service(SERVICE));
        Ok(artifacts)
    }
}

#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
struct Datasource<'a> {
    service: &'a str,
    name: String,
    uid: &'a str,
    url: String,
    scrape_interval: &'a str,
}

#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
struct Providers<'a> {
    service: &'a str,
    folder: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
struct Defaults<'a> {
    service: &'a str,
    address: &'a str,
    port: u16,
}

register_plugin!(Grafana);
