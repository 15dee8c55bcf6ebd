//! From config to the exporter's container.

use stackc_plugin_sdk::{Artifact, ConfigError, Container, Healthcheck, Ref, RenderContext};

use crate::config::Config;

/// What the exporter reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Redis,
}

impl Kind {
    /// The port the upstream exporter listens on.
    pub fn port(self) -> u16 {
        match self {
            Kind::Postgres => 9187,
            Kind::Redis => 9121,
        }
    }

    fn image(self) -> &'static str {
        match self {
            Kind::Postgres => "quay.io/prometheuscommunity/postgres-exporter:v0.16.0",
            Kind::Redis => "oliver006/redis_exporter:v1.67.0",
        }
    }

    /// The unprivileged user each image is built to run as.
    fn user(self) -> &'static str {
        match self {
            Kind::Postgres => "65534:65534",
            Kind::Redis => "59000:59000",
        }
    }

    fn protocol(self) -> &'static str {
        match self {
            Kind::Postgres => "postgresql",
            Kind::Redis => "redis",
        }
    }
}

/// Which server the config names: exactly one of `postgres` and `redis`.
pub fn kind(config: &Config) -> Result<Kind, ConfigError> {
    match (&config.postgres, &config.redis) {
        (Some(_), None) => Ok(Kind::Postgres),
        (None, Some(_)) => Ok(Kind::Redis),
        (Some(_), Some(_)) => Err(ConfigError::at(&["redis"], "an exporter reports on one server")
            .with_help("use one exporter service per server")),
        (None, None) => Err(ConfigError::service("the exporter names no server")
            .with_help("add `postgres (ref)\"db.postgres\"` or `redis (ref)\"cache.redis\"`")),
    }
}

fn server(config: &Config) -> Option<(&'static str, &Ref)> {
    config.postgres.as_ref().map(|r| ("postgres", r)).or_else(|| config.redis.as_ref().map(|r| ("redis", r)))
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the exporter"));
    let kind = match kind(config) {
        Ok(kind) => kind,
        Err(error) => {
            errors.push(error);
            return errors;
        }
    };
    if let Some((key, reference)) = server(config) {
        if reference.endpoints.len() != 1 {
            errors.push(ConfigError::at(&[key], format!("`{}` is not one server", reference.target)));
        } else if reference.endpoints[0].protocol != kind.protocol() {
            errors.push(
                ConfigError::at(&[key], format!("`{}` is not a {} endpoint", reference.target, kind.protocol()))
                    .with_help(format!("reference the server's `{key}` export")),
            );
        }
    }
    if kind == Kind::Redis {
        for (key, given) in [("user", config.user.is_some()), ("database", config.database.is_some())] {
            if given {
                errors.push(ConfigError::at(&[key], format!("`{key}` is for a PostgreSQL server")));
            }
        }
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let kind = kind(config).expect("checked");
    let (_, reference) = server(config).expect("checked");
    let endpoint = &reference.endpoints[0];
    let mut container = Container::new(context.service.clone(), kind.image(), kind.user());
    container = match kind {
        Kind::Postgres => {
            let database = config.database.as_deref().unwrap_or("postgres");
            let health = format!("http://127.0.0.1:{}/metrics", kind.port());
            container
                .with_env("DATA_SOURCE_URI", format!("{}/{database}?sslmode=disable", endpoint.authority()))
                .with_env("DATA_SOURCE_USER", config.user.as_deref().unwrap_or("postgres"))
                .with_secret_env("DATA_SOURCE_PASS", &config.password.name)
                // The image is busybox-based: wget is there.
                .with_healthcheck(Healthcheck::new(
                    ["wget", "-q", "-O", "/dev/null", &health].map(str::to_owned).to_vec(),
                ))
        }
        // The image holds the exporter alone: there is no program to run a healthcheck with.
        Kind::Redis => container
            .with_env("REDIS_ADDR", format!("redis://{}", endpoint.authority()))
            .with_secret_env("REDIS_PASSWORD", &config.password.name),
    };
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![container.into()]
}
