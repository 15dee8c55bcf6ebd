//! The `metrics` block: Debian's `prometheus-nginx-exporter` beside nginx on every host,
//! reading the `status` page on the address nginx listens on and serving what it reads as
//! Prometheus metrics.

use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, RenderContext, authority};

use crate::config::Config;

const PACKAGE: &str = "prometheus-nginx-exporter";
/// Debian's unit reads the daemon's `ARGS` from here.
const DEFAULTS: &str = "/etc/default/prometheus-nginx-exporter";

/// The address the exporter reaches nginx at on a host: `bind`, unless it is a wildcard. A
/// connection to it comes from it too, so the status page lets this address in.
pub fn scrape_address(config: &Config, host_address: &str) -> String {
    match config.bind.as_deref() {
        Some(bind) if !["0.0.0.0", "::", "[::]", "*"].contains(&bind) => bind.to_owned(),
        _ => host_address.to_owned(),
    }
}

pub fn check(config: &Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let Some(metrics) = &config.metrics else { return errors };
    if config.status.is_none() {
        errors.push(
            ConfigError::at(&["metrics"], "the exporter reads the status page, and there is none")
                .on_key()
                .with_help("add `status {}`"),
        );
    }
    let redirect = config.tls.as_ref().and_then(|t| t.redirect_from);
    if metrics.port == config.port() || Some(metrics.port) == redirect {
        errors.push(ConfigError::at(&["metrics", "port"], format!("port {} is taken by nginx", metrics.port)));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let (Some(metrics), Some(status)) = (&config.metrics, &config.status) else { return Vec::new() };
    let mut artifacts = vec![Artifact::package(PACKAGE)];
    for host in &context.hosts {
        let page = authority(&scrape_address(config, &host.address), config.port());
        let listen = authority(&host.address, metrics.port);
        // The status page is on nginx's own listener; a lab certificate is often self-signed,
        // and the page is reached by address, not by a name a certificate would carry.
        let verify = if config.tls.is_some() { " -nginx.ssl-verify=false" } else { "" };
        let defaults = format!(
            "# Written by stackc for service `{}`: read the status page, serve metrics on this host's own address.\nARGS=\"-nginx.scrape-uri={}://{page}{}{verify} -web.listen-address={listen}\"\n",
            context.service,
            config.scheme(),
            status.path,
        );
        artifacts.push(HostFile::new(DEFAULTS, defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{} serves nginx metrics on {}", context.service, host.name),
            format!("http://{listen}/metrics"),
            200,
        ));
    }
    // The exporter keeps no state; a restart picks up new arguments.
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
}
