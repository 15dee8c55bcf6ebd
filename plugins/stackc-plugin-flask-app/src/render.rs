//! From config to the image build and the container.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, BundleFile, ConfigError, Container, Healthcheck, ImageBuild, Ref, RenderContext, Templates,
};

use crate::config::Config;

pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("Dockerfile", include_str!("../templates/Dockerfile.hbs"))]);

const APP: &str = include_str!("../files/app.py");
const REQUIREMENTS: &str = include_str!("../files/requirements.txt");
/// The unprivileged user the image creates and runs as.
const UID: u32 = 10001;

#[derive(Serialize)]
struct DockerfileData<'a> {
    service: &'a str,
    uid: u32,
    port: u16,
    workers: u32,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("the Flask API"));
    for (key, reference, protocol) in [("database", &config.database, "postgresql"), ("cache", &config.cache, "redis")]
    {
        // During `check` before render, a reference's endpoints are resolved; one endpoint is
        // the server's container.
        if reference.endpoints.len() > 1 {
            errors.push(ConfigError::at(&[key], format!("`{}` has more than one endpoint", reference.target)));
        }
        if reference.endpoints.iter().any(|e| e.protocol != protocol) {
            errors.push(
                ConfigError::at(&[key], format!("`{}` is not a {protocol} endpoint", reference.target))
                    .with_help(format!("reference the server's `{protocol}` export")),
            );
        }
    }
    if config.port < 1024 {
        errors.push(ConfigError::at(&["port"], "an unprivileged process listens on port 1024 or above"));
    }
    if config.workers == 0 {
        errors.push(ConfigError::at(&["workers"], "gunicorn needs at least one worker"));
    }
    errors
}

/// The first endpoint of a reference as (host, port); empty when it has none (a reference to
/// a service outside the project, which the plan reports).
fn server(reference: &Ref) -> (String, String) {
    reference.endpoints.first().map_or_else(Default::default, |e| (e.address.clone(), e.port.to_string()))
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let dockerfile = TEMPLATES
        .render("Dockerfile", &DockerfileData { service, uid: UID, port: config.port, workers: config.workers });
    let build = ImageBuild::new(
        service.clone(),
        vec![
            BundleFile::new("Dockerfile", dockerfile),
            BundleFile::new("requirements.txt", REQUIREMENTS),
            BundleFile::new("app.py", APP),
        ],
    );
    let (database_host, database_port) = server(&config.database);
    let (cache_host, cache_port) = server(&config.cache);
    let health = format!(
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{}/api/health', timeout=2)",
        config.port
    );
    let mut container =
        Container::new(service.clone(), format!("{}/{service}:local", context.stack), format!("{UID}:{UID}"))
            .built_by(service.clone())
            .with_env("DATABASE_HOST", database_host)
            .with_env("DATABASE_PORT", database_port)
            .with_env("DATABASE_NAME", &config.database_name)
            .with_env("DATABASE_USER", &config.database_user)
            .with_secret_env("DATABASE_PASSWORD", &config.database_password.name)
            .with_env("REDIS_HOST", cache_host)
            .with_env("REDIS_PORT", cache_port)
            .with_secret_env("REDIS_PASSWORD", &config.cache_password.name)
            .with_env("CACHE_SECONDS", config.cache_seconds.to_string())
            .with_healthcheck(Healthcheck::new(vec!["python".to_owned(), "-c".to_owned(), health]));
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![build.into(), container.into()]
}
