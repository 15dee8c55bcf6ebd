//! From config to Grafana's provisioning files, the host dashboard and the package's
//! defaults file.

use serde::Serialize;
use stackc_plugin_sdk::{AptRepository, Artifact, ConfigError, HostFile, RenderContext, Templates, authority};

use crate::config::Config;
use crate::dashboard;

const PACKAGE: &str = "grafana";
const SERVICE: &str = "grafana-server";
const DATASOURCES: &str = "/etc/grafana/provisioning/datasources/stackc.yaml";
const PROVIDERS: &str = "/etc/grafana/provisioning/dashboards/stackc.yaml";
const DASHBOARDS: &str = "/var/lib/grafana/dashboards";
const DATASOURCE_UID: &str = "stackc-prometheus";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("datasource", include_str!("../templates/datasource.yaml.hbs")),
    ("dashboards", include_str!("../templates/dashboards.yaml.hbs")),
    ("defaults", include_str!("../templates/grafana-server.hbs")),
]);

#[derive(Serialize)]
struct Datasource<'a> {
    service: &'a str,
    name: String,
    uid: &'a str,
    url: String,
    scrape_interval: &'a str,
}

#[derive(Serialize)]
struct Providers<'a> {
    service: &'a str,
    folder: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct Defaults<'a> {
    service: &'a str,
    address: &'a str,
    port: u16,
}

pub fn check(config: &Config) -> Vec<ConfigError> {
    if config.datasource.endpoints.is_empty() {
        return vec![ConfigError::at(&["datasource"], format!("`{}` has no endpoints", config.datasource.target))];
    }
    Vec::new()
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let prometheus = &config.datasource.endpoints[0];
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
    let mut board = stackc_plugin_sdk::serde_json::to_string_pretty(&board).expect("JSON");
    board.push('\n');

    let repository =
        AptRepository::new("grafana", "https://apt.grafana.com", "stable", "main", "https://apt.grafana.com/gpg.key");
    let mut artifacts = vec![
        repository.into(),
        Artifact::package(PACKAGE),
        Artifact::host_file(DATASOURCES, templates.render("datasource", &datasource)),
        Artifact::host_file(PROVIDERS, templates.render("dashboards", &providers)),
        Artifact::host_file(format!("{DASHBOARDS}/hosts.json"), board),
    ];
    for host in &context.hosts {
        let defaults = Defaults { service, address: &host.address, port: config.port() };
        let defaults = templates.render("defaults", &defaults);
        artifacts.push(HostFile::new("/etc/default/grafana-server", defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{service} is healthy on {}", host.name),
            format!("http://{}/api/health", authority(&host.address, config.port())),
            200,
        ));
    }
    artifacts.push(Artifact::restarted_service(SERVICE));
    artifacts
}
