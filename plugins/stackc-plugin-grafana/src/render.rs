//! From config to Grafana's provisioning files, the host dashboard and the package's
//! defaults file.

use serde::Serialize;
use stackc_plugin_sdk::{
    AptRepository, Artifact, ConfigError, Container, ContainerFile, Healthcheck, HostFile, PublishedPort,
    RenderContext, Templates, Volume, authority,
};

use crate::config::Config;
use crate::dashboard::{self, Board};

const PACKAGE: &str = "grafana";
const SERVICE: &str = "grafana-server";
const DATASOURCES: &str = "/etc/grafana/provisioning/datasources/stackc.yaml";
const PROVIDERS: &str = "/etc/grafana/provisioning/dashboards/stackc.yaml";
const DASHBOARDS: &str = "/var/lib/grafana/dashboards";
const DATASOURCE_UID: &str = "stackc-prometheus";
/// The upstream image, for a Compose project; it runs as user 472.
const IMAGE: &str = "grafana/grafana-oss:11.4.0";
const IMAGE_USER: &str = "472";
/// Where a Compose container reads its dashboards (its data directory is a volume).
const IMAGE_DASHBOARDS: &str = "/etc/grafana/dashboards";

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

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if config.datasource.endpoints.is_empty() {
        errors.push(ConfigError::at(&["datasource"], format!("`{}` has no endpoints", config.datasource.target)));
    }
    if context.compose_project.is_none() {
        let compose_only = [
            ("admin-password", config.admin_password.is_some()),
            ("networks", !config.networks.is_empty()),
            ("publish", config.publish.is_some()),
        ];
        for (key, _) in compose_only.into_iter().filter(|(_, given)| *given) {
            errors.push(
                ConfigError::at(&[key], format!("`{key}` is for a Compose project"))
                    .with_help("remove it, or place the service on the stack's Compose project"),
            );
        }
    }
    errors
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
    let in_compose = context.compose_project.is_some();
    let path = if in_compose { IMAGE_DASHBOARDS } else { DASHBOARDS };
    let providers = Providers { service, folder: config.folder.as_deref().unwrap_or("stackc"), path };
    let kind = config.dashboard.unwrap_or(if in_compose { Board::Services } else { Board::Hosts });
    let board = dashboard::dashboard(kind, &format!("{service}-{}", kind.name()), DATASOURCE_UID);
    let mut board = stackc_plugin_sdk::serde_json::to_string_pretty(&board).expect("JSON");
    board.push('\n');
    let board_path = format!("{path}/{}.json", kind.name());
    let datasource = templates.render("datasource", &datasource);
    let providers = templates.render("dashboards", &providers);
    if in_compose {
        return compose(config, context, [(DATASOURCES, datasource), (PROVIDERS, providers), (&board_path, board)]);
    }

    let repository =
        AptRepository::new("grafana", "https://apt.grafana.com", "stable", "main", "https://apt.grafana.com/gpg.key");
    let mut artifacts = vec![
        repository.into(),
        Artifact::package(PACKAGE),
        Artifact::host_file(DATASOURCES, datasource),
        Artifact::host_file(PROVIDERS, providers),
        Artifact::host_file(board_path, board),
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

/// The upstream image in a Compose project, with the same provisioning mounted and its data
/// on a volume of the service.
fn compose(config: &Config, context: &RenderContext, files: [(&str, String); 3]) -> Vec<Artifact> {
    let service = &context.service;
    let port = config.port();
    let data = format!("{service}-data");
    let health = format!("http://127.0.0.1:{port}/api/health");
    let mut container = Container::new(service.clone(), IMAGE, IMAGE_USER)
        .with_env("GF_SERVER_HTTP_PORT", port.to_string())
        .with_env("GF_ANALYTICS_REPORTING_ENABLED", "false")
        .with_env("GF_ANALYTICS_CHECK_FOR_UPDATES", "false")
        .with_volume(&data, "/var/lib/grafana")
        .with_healthcheck(Healthcheck::new(["wget", "-q", "-O", "/dev/null", &health].map(str::to_owned).to_vec()));
    for (path, contents) in files {
        container = container.with_file(ContainerFile::new(path, contents));
    }
    if let Some(password) = &config.admin_password {
        container = container.with_secret_env("GF_SECURITY_ADMIN_PASSWORD", &password.name);
    }
    for network in &config.networks {
        container = container.on_network(network);
    }
    if let Some(published) = config.publish {
        container = container.publish(PublishedPort::tcp(published, port).on_address("127.0.0.1"));
    }
    vec![Volume::new(data).into(), container.into()]
}
