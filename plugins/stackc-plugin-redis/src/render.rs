//! From config to the server's container: checks first (each problem a [`ConfigError`] at its
//! config path), then one template per file.
//!
//! The official image runs our start script instead of its entrypoint: redis.conf cannot read
//! a password from a file, so the script reads the secret file and hands the password to
//! redis-server on its command line.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Container, ContainerFile, Healthcheck, PublishedPort, RenderContext, Templates, Volume,
};

use crate::config::Config;

/// The server's port inside the container.
pub(crate) const PORT: u16 = 6379;

const CONFIG_FILE: &str = "/usr/local/etc/redis/redis.conf";
const START_SCRIPT: &str = "/usr/local/etc/redis/start-redis.sh";
/// The image's data directory, a volume; its user (uid 999) owns it.
const DATA: &str = "/data";
const USER: &str = "redis";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("redis.conf", include_str!("../templates/redis.conf.hbs")),
    ("start-redis.sh", include_str!("../templates/start-redis.sh.hbs")),
]);

#[derive(Serialize)]
struct RedisConf<'a> {
    service: &'a str,
    port: u16,
    maxmemory: Option<&'a str>,
    maxmemory_policy: &'static str,
    appendfsync: &'static str,
}

#[derive(Serialize)]
struct Script<'a> {
    service: &'a str,
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = context.service.as_str();
    let conf = RedisConf {
        service,
        port: PORT,
        maxmemory: config.maxmemory.as_deref(),
        maxmemory_policy: config.maxmemory_policy.as_str(),
        appendfsync: config.appendfsync.as_str(),
    };
    let password_file = format!("/run/secrets/{}", config.password.name);
    let volume = format!("{service}-data");
    // `redis-cli` reads the password from REDISCLI_AUTH, so it is on no command line either.
    let ping = "REDISCLI_AUTH=\"$(cat \"$REDIS_PASSWORD_FILE\")\" redis-cli ping | grep -qx PONG";
    let mut container = Container::new(service, &config.image, USER)
        .with_file(ContainerFile::new(CONFIG_FILE, TEMPLATES.render("redis.conf", &conf)))
        .with_file(
            ContainerFile::new(START_SCRIPT, TEMPLATES.render("start-redis.sh", &Script { service })).with_mode(0o755),
        )
        .with_entrypoint(vec![START_SCRIPT.to_owned()])
        .with_command(vec![CONFIG_FILE.to_owned(), "--dir".to_owned(), DATA.to_owned()])
        .with_env("REDIS_PASSWORD_FILE", &password_file)
        .with_secret_file(&password_file, &config.password.name)
        .with_volume(&volume, DATA)
        .with_healthcheck(Healthcheck::new(vec!["sh".to_owned(), "-c".to_owned(), ping.to_owned()]));
    for network in &config.networks {
        container = container.on_network(network);
    }
    if let Some(port) = config.publish {
        let published = PublishedPort::tcp(port, PORT);
        container = container.publish(match &config.publish_address {
            Some(address) => published.on_address(address),
            None => published,
        });
    }
    vec![container.into(), Volume::new(volume).into()]
}

/// Everything that would make redis-server refuse its configuration, or the container not
/// start.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the redis plugin"));
    if config.image.is_empty() {
        errors.push(ConfigError::at(&["image"], "the image reference is empty"));
    } else if config.image.contains(char::is_whitespace) {
        errors.push(ConfigError::at(&["image"], format!("`{}` is not an image reference", config.image)));
    }
    for network in &config.networks {
        if !is_name(network) {
            errors.push(
                ConfigError::at(&["networks"], format!("`{network}` is not a network name"))
                    .with_help("use lower-case letters, digits, `-` and `_`"),
            );
        }
    }
    if config.publish == Some(0) {
        errors.push(ConfigError::at(&["publish"], "port 0 cannot be published"));
    }
    if config.publish_address.is_some() && config.publish.is_none() {
        errors.push(
            ConfigError::at(&["publish-address"], "an address to publish on, but no port")
                .on_key()
                .with_help("add `publish <port>`"),
        );
    }
    if let Some(size) = &config.maxmemory
        && !is_memory(size)
    {
        errors.push(
            ConfigError::at(&["maxmemory"], format!("`{size}` is not a memory size"))
                .with_help("write a number and a unit: `b`, `kb`, `mb` or `gb` (or `k`, `m`, `g`), e.g. `256mb`"),
        );
    }
    errors
}

/// A size as redis.conf reads it: digits, then a unit of `b`, `k`, `kb`, `m`, `mb`, `g`,
/// `gb`, any case (or none: bytes).
fn is_memory(size: &str) -> bool {
    let digits = size.bytes().take_while(u8::is_ascii_digit).count();
    let unit = size[digits..].to_ascii_lowercase();
    digits > 0 && ["", "b", "k", "kb", "m", "mb", "g", "gb"].contains(&unit.as_str())
}

fn is_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}
