//! From config to Alertmanager's config file and the package's defaults file.

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, RenderContext, Templates, authority};

use crate::config::{Config, Email};

const PACKAGE: &str = "prometheus-alertmanager";
const CONFIG: &str = "/etc/prometheus/alertmanager.yml";
const DEFAULTS: &str = "/etc/default/prometheus-alertmanager";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("alertmanager.yml", include_str!("../templates/alertmanager.yml.hbs"))]);

#[derive(Serialize)]
struct Data<'a> {
    service: &'a str,
    receiver: &'a str,
    group_by: Vec<&'a str>,
    group_wait: &'a str,
    group_interval: &'a str,
    repeat_interval: &'a str,
    webhook: Option<&'a str>,
    email: Option<&'a Email>,
}

pub fn check(config: &Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if config.webhook.is_none() && config.email.is_none() {
        errors.push(
            ConfigError::service("the receiver has nowhere to send alerts")
                .with_help("add `webhook \"http://…\"` or an `email { … }` block"),
        );
    }
    if let Some(url) = &config.webhook
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        errors.push(ConfigError::at(&["webhook"], format!("`{url}` is not an http(s) URL")));
    }
    if let Some(email) = &config.email
        && !email.smarthost.contains(':')
    {
        errors
            .push(ConfigError::at(&["email", "smarthost"], "the smarthost needs a port").with_help("write `host:25`"));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let templates = &TEMPLATES;
    let group_by = if config.group_by.is_empty() {
        vec!["alertname", "instance"]
    } else {
        config.group_by.iter().map(String::as_str).collect()
    };
    let data = Data {
        service: &context.service,
        receiver: config.receiver.as_deref().unwrap_or("default"),
        group_by,
        group_wait: config.group_wait.as_deref().unwrap_or("30s"),
        group_interval: config.group_interval.as_deref().unwrap_or("5m"),
        repeat_interval: config.repeat_interval.as_deref().unwrap_or("4h"),
        webhook: config.webhook.as_deref(),
        email: config.email.as_ref(),
    };
    let mut artifacts =
        vec![Artifact::package(PACKAGE), Artifact::host_file(CONFIG, templates.render("alertmanager.yml", &data))];
    for host in &context.hosts {
        let authority = authority(&host.address, config.port());
        // An empty `--cluster.listen-address` turns gossip off; its default binds 0.0.0.0.
        let defaults = format!(
            "# Written by stackc for service `{}`.\nARGS=\"--web.listen-address={authority} --cluster.listen-address=\"\n",
            context.service
        );
        artifacts.push(HostFile::new(DEFAULTS, defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{} is ready on {}", context.service, host.name),
            format!("http://{authority}/-/ready"),
            200,
        ));
    }
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
}
