//! From config to the application on hosts or in a Compose project, its image's build
//! context, and the pipeline.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, BundleFile, ConfigError, Container, Healthcheck, HostFile, HttpCheck, ImageBuild, Process, RenderContext,
    Templates, authority,
};

use crate::config::{Config, Pipeline, Runtime};

pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("Dockerfile", include_str!("../templates/Dockerfile.hbs")),
    ("listen.conf", include_str!("../templates/listen.conf.hbs")),
    ("gitlab-ci.yml", include_str!("../templates/gitlab-ci.yml.hbs")),
]);

const DOCKERIGNORE: &str = include_str!("../files/dockerignore");
/// The official image, pinned to a major version and Debian release.
const NODE_IMAGE: &str = "node:20-bookworm-slim";
/// The `node` user of the official image.
const NODE_USER: &str = "1000:1000";
/// Debian's Node.js, and where its package puts the program.
const NODE_PACKAGE: &str = "nodejs";
const NODE: &str = "/usr/bin/node";
/// Where the build context lands in the service's bundle directory.
const IMAGE_DIR: &str = "image";
/// npm installs dependencies only when their versions are locked.
const LOCKFILE: &str = "package-lock.json";
/// Docker Hub's name in registry credentials, for images named without a registry.
const DOCKER_HUB: &str = "https://index.docker.io/v1/";

#[derive(Serialize)]
struct DockerfileData<'a> {
    service: &'a str,
    base: &'a str,
    lockfile: bool,
    port: u16,
    main: &'a str,
    healthcheck: String,
}

#[derive(Serialize)]
struct ListenData<'a> {
    service: &'a str,
    host: &'a str,
    address: &'a str,
}

#[derive(Serialize)]
struct PipelineData<'a> {
    service: &'a str,
    stack: &'a str,
    stack_file: &'a str,
    image: &'a str,
    registry: &'a str,
    vault: Option<&'a str>,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.in_cluster() {
        errors.push(
            ConfigError::service("an app runs on hosts or in a Compose project, not in the cluster")
                .with_help("place it with `on=\"<host, group or Compose project>\"`"),
        );
    }
    // The service name is the user the application runs as on hosts.
    if ["root", "nobody"].contains(&context.service.as_str()) || context.service.len() > 32 {
        errors
            .push(ConfigError::service(format!("`{}` cannot name the user the application runs as", context.service)));
    }
    if config.source.is_empty() {
        errors.push(ConfigError::at(&["source"], "the source has no files"));
    }
    for path in config.source.keys() {
        if !is_relative_path(path) {
            errors.push(ConfigError::at(&["source"], format!("`{path}` is not a plain relative path")));
        }
    }
    if !config.source.contains_key(&config.main) {
        let files: Vec<&str> = config.source.keys().map(String::as_str).collect();
        errors.push(
            ConfigError::at(&["main"], format!("`{}` is not a file of the source", config.main))
                .with_help(format!("the source has: {}", files.join(", "))),
        );
    }
    if config.port < 1024 {
        errors.push(ConfigError::at(&["port"], "an unprivileged process listens on port 1024 or above"));
    }
    let paths = [("health", Some(&config.health)), ("metrics", config.metrics.as_ref())];
    for (key, path) in paths {
        if let Some(path) = path.filter(|p| !is_url_path(p)) {
            errors.push(
                ConfigError::at(&[key], format!("`{path}` is not a URL path"))
                    .with_help("start with `/`; use letters, digits and `/-._~`"),
            );
        }
    }
    if let Some(image) = &config.image {
        errors.extend(check_image(image));
    }
    if let Some(pipeline) = &config.pipeline {
        errors.extend(check_pipeline(config, pipeline));
    }
    if context.compose_project.is_none() && !config.networks.is_empty() {
        errors.push(ConfigError::at(&["networks"], "networks are for a service of a Compose project"));
    }
    errors
}

fn check_image(image: &str) -> Option<ConfigError> {
    let last = image.rsplit('/').next().unwrap_or_default();
    if last.contains(':') || last.contains('@') {
        return Some(
            ConfigError::at(&["image"], format!("`{image}` has a tag"))
                .with_help("name the image without one: the pipeline tags it with the commit"),
        );
    }
    let valid = !image.is_empty()
        && image.split('/').all(|part| !part.is_empty())
        && image.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"./-_:".contains(&b));
    (!valid).then(|| {
        ConfigError::at(&["image"], format!("`{image}` is not an image name"))
            .with_help("use lower-case letters, digits and `./-_`, and `:` only for a registry's port")
    })
}

fn check_pipeline(config: &Config, pipeline: &Pipeline) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if config.image.is_none() {
        errors.push(
            ConfigError::at(&["pipeline"], "the pipeline pushes the image, which has no name")
                .with_help("name it: `image \"registry.example.org/group/project/app\"`"),
        );
    }
    let files = [("stack-file", Some(&pipeline.stack_file)), ("vault", pipeline.vault.as_ref())];
    for (key, path) in files {
        if let Some(path) = path.filter(|p| !is_relative_path(p) || !p.bytes().all(is_plain_byte)) {
            errors.push(
                ConfigError::at(&["pipeline", key], format!("`{path}` is not a path in the repository"))
                    .with_help("a relative path of letters, digits and `/-._`"),
            );
        }
    }
    errors
}

/// A relative path without `.`, `..` or empty segments.
fn is_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains(char::is_control)
        && path.split('/').all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

fn is_plain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"/-._".contains(&b)
}

/// A path that goes into a URL, a YAML scalar and a JavaScript string unquoted.
fn is_url_path(path: &str) -> bool {
    path.starts_with('/') && path.bytes().all(|b| is_plain_byte(b) || b == b'~')
}

/// The image's name, tag aside: the configured one or `<stack>/<service>`.
fn image_name(config: &Config, context: &RenderContext) -> String {
    config.image.clone().unwrap_or_else(|| format!("{}/{}", context.stack, context.service))
}

/// The registry part of an image name: a first component with a `.` or a `:`, or
/// `localhost`; Docker Hub otherwise.
fn registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => DOCKER_HUB,
    }
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let Runtime::Node = config.runtime;
    let context_files = build_context(config, context);
    let mut artifacts: Vec<Artifact> = context_files
        .iter()
        .map(|f| BundleFile::new(format!("{IMAGE_DIR}/{}", f.path), f.contents.clone()).into())
        .collect();
    if let Some(pipeline) = &config.pipeline {
        artifacts.push(pipeline_file(config, pipeline, context).into());
    }
    if context.compose_project.is_some() {
        artifacts.extend(in_compose(config, context, context_files));
    } else {
        artifacts.extend(on_hosts(config, context));
    }
    artifacts
}

/// The image's build context: the Dockerfile, a `.dockerignore` and the source.
fn build_context(config: &Config, context: &RenderContext) -> Vec<BundleFile> {
    let dockerfile = TEMPLATES.render(
        "Dockerfile",
        &DockerfileData {
            service: &context.service,
            base: NODE_IMAGE,
            lockfile: config.source.contains_key(LOCKFILE),
            port: config.port,
            main: &config.main,
            healthcheck: health_script(config),
        },
    );
    let mut files = vec![BundleFile::new("Dockerfile", dockerfile), BundleFile::new(".dockerignore", DOCKERIGNORE)];
    files.extend(config.source.iter().map(|(path, text)| BundleFile::new(path.clone(), text.clone())));
    files
}

/// A node one-liner that exits 0 when the health endpoint answers 200 (slim images have no
/// curl). No double quotes: it goes into a JSON array.
fn health_script(config: &Config) -> String {
    format!(
        "require('http').get('http://127.0.0.1:{}{}', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
        config.port, config.health
    )
}

fn pipeline_file(config: &Config, pipeline: &Pipeline, context: &RenderContext) -> BundleFile {
    let image = image_name(config, context);
    let data = PipelineData {
        service: &context.service,
        stack: &context.stack,
        stack_file: &pipeline.stack_file,
        image: &image,
        registry: registry(&image),
        vault: pipeline.vault.as_deref(),
    };
    BundleFile::new(".gitlab-ci.yml", TEMPLATES.render("gitlab-ci.yml", &data))
}

/// On hosts: Debian's Node.js runs the source from `/opt/<service>/` as a user named after the
/// service, under systemd, on each host's own address (a drop-in per host, since a process is
/// the same on every host).
fn on_hosts(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let dir = format!("/opt/{service}");
    let mut artifacts = vec![Artifact::package(NODE_PACKAGE)];
    artifacts
        .extend(config.source.iter().map(|(path, text)| Artifact::host_file(format!("{dir}/{path}"), text.clone())));
    for host in &context.hosts {
        let listen = ListenData { service, host: &host.name, address: &host.address };
        let path = format!("/etc/systemd/system/{service}.service.d/listen.conf");
        artifacts.push(HostFile::new(path, TEMPLATES.render("listen.conf", &listen)).on_host(&host.name).into());
        let url = format!("http://{}{}", authority(&host.address, config.port), config.health);
        artifacts.push(HttpCheck::new(format!("{service} is healthy on {}", host.name), url, 200).into());
    }
    let command = vec![NODE.to_owned(), format!("{dir}/{}", config.main)];
    artifacts.push(
        Process::new(service.clone(), command, service.clone())
            .in_directory(format!("/var/lib/{service}"))
            .with_env("NODE_ENV", "production")
            .with_env("PORT", config.port.to_string())
            .into(),
    );
    artifacts
}

/// In a Compose project: the image built from the context, run as the image's `node` user.
fn in_compose(config: &Config, context: &RenderContext, files: Vec<BundleFile>) -> Vec<Artifact> {
    let service = &context.service;
    let build = ImageBuild::new(service.clone(), files);
    let healthcheck = Healthcheck::new(vec!["node".to_owned(), "-e".to_owned(), health_script(config)]);
    let mut container = Container::new(service.clone(), format!("{}:local", image_name(config, context)), NODE_USER)
        .built_by(service.clone())
        .with_healthcheck(healthcheck);
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![build.into(), container.into()]
}
