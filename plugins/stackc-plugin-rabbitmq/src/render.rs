//! From config to the broker's container: its configuration files, data volume, application
//! user and healthcheck.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Container, ContainerFile, Healthcheck, PublishedPort, RenderContext, Templates, Volume,
};

use crate::config::Config;

pub(crate) const AMQP_PORT: u16 = 5672;
pub(crate) const MANAGEMENT_PORT: u16 = 15672;
pub(crate) const METRICS_PORT: u16 = 15692;
/// The `rabbitmq` user and group of the official images.
const USER: &str = "999:999";
const CONFIG_FILE: &str = "/etc/rabbitmq/rabbitmq.conf";
const PLUGINS_FILE: &str = "/etc/rabbitmq/enabled_plugins";
const DATA_DIR: &str = "/var/lib/rabbitmq";
/// The node's name does not follow the container's host name, which changes whenever the
/// container is made anew: the node's data directory in the volume is named after it.
const NODE_NAME: &str = "rabbit@localhost";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("rabbitmq.conf", include_str!("../templates/rabbitmq.conf.hbs")),
    ("enabled_plugins", include_str!("../templates/enabled_plugins.hbs")),
]);

#[derive(Serialize)]
struct ConfData<'a> {
    service: &'a str,
    project: &'a str,
    user: &'a str,
    vhost: &'a str,
    amqp_port: u16,
    management_port: u16,
    metrics_port: u16,
    memory_high_watermark: String,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the rabbitmq plugin"));
    if !is_name(&config.user) {
        errors.push(
            ConfigError::at(&["user"], format!("`{}` is not a user name this plugin writes", config.user))
                .with_help("use letters, digits, `-`, `_` and `.`"),
        );
    }
    let vhost = &config.vhost;
    if vhost != "/" && !is_name(vhost.strip_prefix('/').unwrap_or(vhost)) {
        errors.push(
            ConfigError::at(&["vhost"], format!("`{vhost}` is not a virtual host name this plugin writes"))
                .with_help("use `/`, or letters, digits, `-`, `_` and `.` (optionally after a `/`)"),
        );
    }
    if config.image.is_empty() || config.image.contains(char::is_whitespace) {
        errors.push(ConfigError::at(&["image"], format!("`{}` is not an image reference", config.image)));
    }
    if !(config.memory_high_watermark > 0.0 && config.memory_high_watermark <= 1.0) {
        errors.push(
            ConfigError::at(&["memory-high-watermark"], "the watermark is a share of memory: above 0, at most 1")
                .with_help("0.4 is RabbitMQ's default"),
        );
    }
    if config.management_port == Some(0) {
        errors.push(ConfigError::at(&["management-port"], "port 0 cannot be published"));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let conf = ConfData {
        service,
        project: context.compose_project.as_deref().unwrap_or_default(),
        user: &config.user,
        vhost: &config.vhost,
        amqp_port: AMQP_PORT,
        management_port: MANAGEMENT_PORT,
        metrics_port: METRICS_PORT,
        memory_high_watermark: config.memory_high_watermark.to_string(),
    };
    let volume = format!("{service}-data");
    let ping = ["rabbitmq-diagnostics", "-q", "ping"].map(str::to_owned).to_vec();
    let mut container = Container::new(service, &config.image, USER)
        .with_env("RABBITMQ_NODENAME", NODE_NAME)
        .with_env("RABBITMQ_DEFAULT_USER", &config.user)
        .with_secret_env("RABBITMQ_DEFAULT_PASS", &config.password.name)
        .with_file(ContainerFile::new(CONFIG_FILE, TEMPLATES.render("rabbitmq.conf", &conf)))
        .with_file(ContainerFile::new(PLUGINS_FILE, TEMPLATES.render("enabled_plugins", &())))
        .with_volume(&volume, DATA_DIR)
        // The node takes some seconds to boot, longer on its first start.
        .with_healthcheck(Healthcheck::new(ping).with_timing(10, 10, 5).with_start_period(30));
    for network in &config.networks {
        container = container.on_network(network);
    }
    if let Some(port) = config.management_port {
        container = container.publish(PublishedPort::tcp(port, MANAGEMENT_PORT).on_address("127.0.0.1"));
    }
    vec![container.into(), Volume::new(volume).into()]
}

/// Letters, digits, `-`, `_` and `.`: safe in `rabbitmq.conf`, a URL and a shell.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}
