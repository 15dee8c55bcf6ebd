//! From config to the registry's configuration file on each host (it listens on the host's own
//! address), its secrets as secret files, and the checks a deployment runs.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, HostFile, HttpCheck, RenderContext, SecretFile, SystemService, Templates, authority,
};

use crate::config::Config;

const PACKAGE: &str = "docker-registry";
/// The version of Debian 12's package, which the configuration is written for.
const PACKAGE_VERSION: &str = "2.8.2";
/// Where Debian's unit reads the configuration from.
const CONFIG: &str = "/etc/docker/registry/config.yml";
const HTPASSWD: &str = "/etc/docker/registry/htpasswd";
const CERTIFICATE: &str = "/etc/docker/registry/tls.crt";
const KEY: &str = "/etc/docker/registry/tls.key";
/// The user the package makes and the unit runs the registry as.
const USER: &str = "docker-registry";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("config.yml", include_str!("../templates/config.yml.hbs"))]);

#[derive(Serialize)]
struct ConfigYml<'a> {
    service: &'a str,
    host: &'a str,
    package_version: &'a str,
    storage: &'a str,
    delete: bool,
    authority: String,
    tls: Option<TlsPaths>,
    debug: Option<String>,
    htpasswd: Option<&'a str>,
}

#[derive(Serialize)]
struct TlsPaths {
    certificate: &'static str,
    key: &'static str,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.hosts.is_empty() {
        errors
            .push(ConfigError::service("the registry runs on hosts").with_help("place it with `on=\"host-or-group\"`"));
    }
    if config.port == 0 {
        errors.push(ConfigError::at(&["port"], "port 0 cannot be listened on").with_help("the registry's own is 5000"));
    }
    if config.metrics_port == Some(config.port) || config.metrics_port == Some(0) {
        errors.push(
            ConfigError::at(&["metrics-port"], "metrics need a port of their own, other than 0")
                .with_help("e.g. `metrics-port 5001`"),
        );
    }
    let storage = &config.storage;
    if !storage.starts_with('/') || storage.split('/').any(|part| part == "..") || storage.contains(char::is_whitespace)
    {
        errors.push(
            ConfigError::at(&["storage"], format!("`{storage}` is not an absolute directory"))
                .with_help("e.g. `/var/lib/docker-registry`"),
        );
    }
    if let Some(tls) = &config.tls
        && !tls.certificate.contains("-----BEGIN CERTIFICATE-----")
    {
        errors.push(
            ConfigError::at(&["tls", "certificate"], "the certificate is not PEM")
                .with_help("read it from a file: `certificate (file)\"registry.crt\"`"),
        );
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let mut artifacts = vec![Artifact::package(PACKAGE)];
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    for host in &context.hosts {
        let authority = authority(&host.address, config.port);
        let file = ConfigYml {
            service: &context.service,
            host: &host.name,
            package_version: PACKAGE_VERSION,
            storage: &config.storage,
            delete: config.delete,
            authority: authority.clone(),
            tls: config.tls.as_ref().map(|_| TlsPaths { certificate: CERTIFICATE, key: KEY }),
            debug: config.metrics_port.map(|port| stackc_plugin_sdk::authority(&host.address, port)),
            htpasswd: config.users.as_ref().map(|_| HTPASSWD),
        };
        artifacts.push(HostFile::new(CONFIG, TEMPLATES.render("config.yml", &file)).on_host(&host.name).into());
        // The API root answers 200, or 401 to a client without credentials.
        let status = if config.users.is_some() { 401 } else { 200 };
        let check = HttpCheck::new(
            format!("{} answers on {}", context.service, host.name),
            format!("{scheme}://{authority}/v2/"),
            status,
        );
        // A private registry's certificate is commonly signed by a private CA the deploying
        // machine does not trust: the check is about the registry answering.
        artifacts.push(if config.tls.is_some() { check.insecure() } else { check }.into());
        if let Some(port) = config.metrics_port {
            let url = format!("http://{}/metrics", stackc_plugin_sdk::authority(&host.address, port));
            artifacts
                .push(HttpCheck::new(format!("{} serves metrics on {}", context.service, host.name), url, 200).into());
        }
    }
    if let Some(users) = &config.users {
        artifacts.push(SecretFile::new(HTPASSWD, &users.name).with_mode(0o640).owned_by("root", USER).into());
    }
    if let Some(tls) = &config.tls {
        artifacts.push(HostFile::new(CERTIFICATE, tls.certificate.clone()).into());
        artifacts.push(SecretFile::new(KEY, &tls.key.name).with_mode(0o640).owned_by("root", USER).into());
    }
    artifacts.push(SystemService::restarted(PACKAGE).into());
    artifacts
}
