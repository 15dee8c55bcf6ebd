//! From config to the worker's image build (Dockerfile, requirements, program) and its
//! container.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, BundleFile, ConfigError, Container, Healthcheck, ImageBuild, PlacedEndpoint, RenderContext, Templates,
};

use crate::config::Config;

/// The base of both stages of the image.
const PYTHON_IMAGE: &str = "python:3.12-slim-bookworm";
/// The worker's user and group in the image, made by the Dockerfile.
const UID: u32 = 10001;
const GID: u32 = 10001;
/// The worker's module, in the image's working directory.
const MODULE: &str = "message_logger";
const MAX_CONCURRENCY: u32 = 64;

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("Dockerfile", include_str!("../templates/Dockerfile.hbs"))]);

#[derive(Serialize)]
struct DockerfileData<'a> {
    service: &'a str,
    python_image: &'a str,
    uid: u32,
    gid: u32,
}

/// The broker endpoint, when the reference resolved to exactly one.
fn broker(config: &Config) -> Option<&PlacedEndpoint> {
    match config.broker.endpoints.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The image the build makes.
fn image(config: &Config, context: &RenderContext) -> String {
    config.image.clone().unwrap_or_else(|| {
        let project = context.compose_project.as_deref().unwrap_or_default();
        format!("{project}/{}:latest", context.service.to_ascii_lowercase())
    })
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the celery-worker plugin"));
    let target = &config.broker.target;
    match config.broker.endpoints.as_slice() {
        [] => errors.push(
            ConfigError::at(&["broker"], format!("`{target}` is not an endpoint"))
                .with_help("refer to a rabbitmq service's `amqp` export, e.g. (ref)\"mq.amqp\""),
        ),
        [one] if one.protocol != "amqp" => errors.push(
            ConfigError::at(&["broker"], format!("`{target}` speaks {}, not AMQP", one.protocol))
                .with_help("refer to a rabbitmq service's `amqp` export, e.g. (ref)\"mq.amqp\""),
        ),
        [_] => {}
        many => errors.push(
            ConfigError::at(&["broker"], format!("`{target}` is {} endpoints; a worker has one broker", many.len()))
                .with_help("run the broker in the Compose project, where it is one container"),
        ),
    }
    if !is_name(&config.broker_user) {
        errors.push(
            ConfigError::at(
                &["broker-user"],
                format!("`{}` is not a user name this plugin writes", config.broker_user),
            )
            .with_help("use letters, digits, `-`, `_` and `.`"),
        );
    }
    let vhost = &config.broker_vhost;
    if vhost != "/" && !is_name(vhost.strip_prefix('/').unwrap_or(vhost)) {
        errors.push(
            ConfigError::at(&["broker-vhost"], format!("`{vhost}` is not a virtual host name this plugin writes"))
                .with_help("use `/`, or letters, digits, `-`, `_` and `.` (optionally after a `/`)"),
        );
    }
    if config.queues.is_empty() {
        errors.push(ConfigError::at(&["queues"], "the worker consumes no queue").with_help("name at least one"));
    }
    for (index, queue) in config.queues.iter().enumerate() {
        if !is_name(queue) {
            errors.push(
                ConfigError::at(
                    &["queues", &index.to_string()],
                    format!("`{queue}` is not a queue name this plugin writes"),
                )
                .with_help("use letters, digits, `-`, `_` and `.`"),
            );
        }
    }
    if !(1..=MAX_CONCURRENCY).contains(&config.concurrency) {
        errors.push(ConfigError::at(&["concurrency"], format!("the concurrency is 1 to {MAX_CONCURRENCY} processes")));
    }
    if !is_name(&config.task) {
        errors.push(
            ConfigError::at(&["task"], format!("`{}` is not a task name this plugin writes", config.task))
                .with_help("use letters, digits, `-`, `_` and `.`, e.g. `octopus.log_message`"),
        );
    }
    let image = image(config, context);
    // Without a project, the default name is moot: the placement is the error.
    if !is_image(&image) && (context.compose_project.is_some() || config.image.is_some()) {
        let message = format!("`{image}` is not an image name");
        let error =
            if config.image.is_some() { ConfigError::at(&["image"], message) } else { ConfigError::service(message) };
        errors.push(error.with_help("set `image` to a lower-case name such as `octopus/worker:latest`"));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let broker = broker(config).expect("checked");
    let dockerfile = DockerfileData { service, python_image: PYTHON_IMAGE, uid: UID, gid: GID };
    let build = ImageBuild::new(
        service,
        vec![
            BundleFile::new("Dockerfile", TEMPLATES.render("Dockerfile", &dockerfile)),
            BundleFile::new("requirements.txt", include_str!("../files/requirements.txt")),
            BundleFile::new(format!("{MODULE}.py"), include_str!("../files/message_logger.py")),
        ],
    );
    let level = config.log_level.as_str();
    let args = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let concurrency = config.concurrency.to_string();
    let queues = config.queues.join(",");
    let hostname = format!("{service}@%h");
    let command = args(&[
        "celery",
        "--app",
        MODULE,
        "worker",
        "--loglevel",
        level,
        "--concurrency",
        &concurrency,
        "--queues",
        &queues,
        "--hostname",
        &hostname,
        "--without-gossip",
        "--without-mingle",
    ]);
    // The worker answers a ping through the broker: the check covers the connection too.
    let ping = Healthcheck::new(args(&["python", "-m", MODULE, "ping"])).with_timing(30, 15, 3).with_start_period(30);
    let mut container = Container::new(service, image(config, context), format!("{UID}:{GID}"))
        .built_by(service)
        .with_command(command)
        .with_env("CELERY_BROKER_HOST", &broker.address)
        .with_env("CELERY_BROKER_PORT", broker.port.to_string())
        .with_env("CELERY_BROKER_USER", &config.broker_user)
        .with_env("CELERY_BROKER_VHOST", &config.broker_vhost)
        .with_secret_env("CELERY_BROKER_PASSWORD", &config.broker_password.name)
        .with_env("WORKER_NAME", service)
        .with_env("WORKER_TASK", &config.task)
        .with_env("WORKER_QUEUES", &queues)
        .with_env("WORKER_LOG_LEVEL", level)
        .with_env("WORKER_METRICS_ADDRESS", "0.0.0.0")
        .with_env("WORKER_METRICS_PORT", config.metrics_port.to_string())
        .with_healthcheck(ping);
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![build.into(), container.into()]
}

/// Letters, digits, `-`, `_` and `.`: safe in a URL, a command line and a queue name.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// `name[:tag]` with a lower-case name of `/`-separated components, as Docker takes it.
fn is_image(image: &str) -> bool {
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (image, None),
    };
    let component = |c: &str| {
        c.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && c.bytes().last().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            && !c.contains("..")
    };
    let tag_ok = tag.is_none_or(|t| {
        !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    });
    name.split('/').all(component) && tag_ok
}
