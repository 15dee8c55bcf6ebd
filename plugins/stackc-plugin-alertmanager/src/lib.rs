//! The `alertmanager` plugin: Debian's `prometheus-alertmanager` with one route and one
//! receiver (a webhook and/or an e-mail address; no credentials), listening on the host's own
//! address with cluster gossip off (its default would bind 0.0.0.0:9094).

use stackc_plugin_sdk::schemars::JsonSchema;
use stackc_plugin_sdk::serde::{Deserialize, Serialize};
use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, Plugin, RenderContext, Templates, register_plugin,
};

const PACKAGE: &str = "prometheus-alertmanager";
const CONFIG: &str = "/etc/prometheus/alertmanager.yml";
const DEFAULTS: &str = "/etc/default/prometheus-alertmanager";

/// ```kdl
/// service "alertmanager" plugin="alertmanager" on="mon1" {
///     receiver "ops"
///     webhook "http://127.0.0.1:5001/alerts"
///     email { to "ops@example.org"; from "alertmanager@example.org"; smarthost "mail.example.org:25" }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub struct Config {
    /// Port of the API and UI; 9093 by default.
    pub port: Option<u16>,
    /// Name of the receiver; `default` by default.
    pub receiver: Option<String>,
    /// Webhook URL alerts are posted to.
    pub webhook: Option<String>,
    /// E-mail delivery (no credentials: an unauthenticated relay).
    pub email: Option<Email>,
    /// Labels alerts are grouped by; `alertname` and `instance` by default.
    #[serde(default)]
    pub group_by: Vec<String>,
    /// `30s` by default.
    pub group_wait: Option<String>,
    /// `5m` by default.
    pub group_interval: Option<String>,
    /// `4h` by default.
    pub repeat_interval: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub struct Email {
    pub to: String,
    pub from: String,
    /// `host:port` of the mail relay.
    pub smarthost: String,
    /// `true` by default.
    #[serde(default = "yes")]
    #[serde(rename(serialize = "require_tls"))]
    pub require_tls: bool,
}

fn yes() -> bool {
    true
}

impl Config {
    fn port(&self) -> u16 {
        self.port.unwrap_or(9093)
    }
}

#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
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

pub struct Alertmanager;

/// Parsed once, ahead of time (see `Templates`).
static TEMPLATES: Templates =
    Templates::embedded(&[("alertmanager.yml", include_str!("../templates/alertmanager.yml.hbs"))]);

impl Plugin for Alertmanager {
    type Config = Config;

    const NAME: &'static str = "alertmanager";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus Alertmanager with one route and receiver";

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
            errors.push(
                ConfigError::at(&["email", "smarthost"], "the smarthost needs a port").with_help("write `host:25`"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
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
            artifacts.push(Artifact::file_on(&host.name, DEFAULTS, defaults, 0o644));
            artifacts.push(Artifact::http_check(
                format!("{} is ready on {}", context.service, host.name),
                format!("http://{authority}/-/ready"),
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

register_plugin!(Alertmanager);
