//! From config to the image build (the self-signed certificate) and the container (the
//! server config as a template, the upstream addresses in its environment).

use std::collections::BTreeMap;

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, BundleFile, ConfigError, Container, ContainerFile, Healthcheck, ImageBuild, PublishedPort, Ref,
    RenderContext, Templates,
};

use crate::config::Config;

pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("Dockerfile", include_str!("../templates/Dockerfile.hbs")),
    ("default.conf.template", include_str!("../templates/default.conf.template.hbs")),
]);

/// nginx as an unprivileged user; its entrypoint fills in `/etc/nginx/templates/*.template`.
pub const IMAGE: &str = "nginxinc/nginx-unprivileged:1.27-bookworm";
/// The image's `nginx` user and group.
pub const USER: &str = "101:101";
/// Where the image's entrypoint finds the server config.
pub const TEMPLATE: &str = "/etc/nginx/templates/default.conf.template";
/// Where the image keeps the certificate and key.
pub const TLS_DIR: &str = "/etc/nginx/tls";
const CERTIFICATE_NAME: &str = "server.crt";
const KEY_NAME: &str = "server.key";
/// The ports nginx listens on inside the container.
pub const HTTPS_PORT: u16 = 8443;
pub const HTTP_PORT: u16 = 8080;
/// Prefix of the environment variables that carry upstream addresses; the entrypoint
/// replaces only these in the template.
pub const VARIABLE_PREFIX: &str = "UPSTREAM_";

#[derive(Serialize)]
struct DockerfileData<'a> {
    service: &'a str,
    server_name: &'a str,
    image: &'a str,
    user: &'a str,
    tls_dir: &'a str,
    certificate_name: &'a str,
    key_name: &'a str,
    http_port: u16,
    https_port: u16,
    own_certificate: bool,
}

#[derive(Serialize)]
struct ServerData<'a> {
    service: &'a str,
    server_name: &'a str,
    upstreams: Vec<UpstreamData>,
    locations: Vec<LocationData<'a>>,
    http_port: u16,
    https_port: u16,
    /// `:port` in redirect URLs, empty for 443.
    redirect_port: String,
    published_https_port: u16,
    certificate: String,
    key: String,
    hsts_max_age: u32,
}

#[derive(Serialize)]
struct UpstreamData {
    name: String,
    /// `${UPSTREAM_…}`, replaced when the container starts.
    placeholder: String,
}

#[derive(Serialize)]
struct LocationData<'a> {
    path: &'a str,
    upstream: String,
}

/// One upstream per referenced endpoint: its nginx name and the variable with its address.
struct Upstream<'a> {
    name: String,
    variable: String,
    reference: &'a Ref,
}

/// The upstreams of the routes, by reference target (`service.export`). An upstream is named
/// after its service, and after the export too when the routes use several of one service.
fn upstreams(config: &Config) -> BTreeMap<&str, Upstream<'_>> {
    let mut by_target: BTreeMap<&str, &Ref> = BTreeMap::new();
    for route in config.route.values() {
        by_target.entry(route.to.target.as_str()).or_insert(&route.to);
    }
    let mut exports_per_service: BTreeMap<&str, usize> = BTreeMap::new();
    for reference in by_target.values() {
        *exports_per_service.entry(reference.service.as_str()).or_default() += 1;
    }
    by_target
        .into_iter()
        .map(|(target, reference)| {
            let raw = if exports_per_service[reference.service.as_str()] > 1 {
                format!("{}_{}", reference.service, reference.export)
            } else {
                reference.service.clone()
            };
            let name: String =
                raw.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            let variable = format!("{VARIABLE_PREFIX}{}", name.to_ascii_uppercase());
            (target, Upstream { name, variable, reference })
        })
        .collect()
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("an nginx gateway"));
    if !is_dns_name(&config.server_name) {
        errors.push(
            ConfigError::at(&["server-name"], format!("`{}` is not a DNS name", config.server_name))
                .with_help("name the host clients reach the gateway by, such as `octopus.example.org`"),
        );
    }
    if config.route.is_empty() {
        errors.push(
            ConfigError::at(&["route"], "the gateway has no routes")
                .on_key()
                .with_help("route a path prefix to a service: `route \"/\" to=(ref)\"frontend.http\"`"),
        );
    }
    for (path, route) in &config.route {
        if !is_location(path) {
            errors.push(
                ConfigError::at(&["route", path], format!("`{path}` is not a URL path prefix"))
                    .on_key()
                    .with_help("start it with `/` and use letters, digits and `-._~%/`, such as `/api/`"),
            );
        }
        let to = &route.to;
        if to.endpoints.len() > 1 {
            errors.push(
                ConfigError::at(&["route", path, "to"], format!("`{}` has more than one endpoint", to.target))
                    .with_help("route to a service of the Compose project"),
            );
        }
        if to.endpoints.iter().any(|e| e.protocol != "http") {
            errors.push(
                ConfigError::at(&["route", path, "to"], format!("`{}` is not an http endpoint", to.target)).with_help(
                    "the gateway speaks plain HTTP to the services behind it; reference their `http` export",
                ),
            );
        }
    }
    let mut variables: BTreeMap<String, &str> = BTreeMap::new();
    for (target, upstream) in upstreams(config) {
        if let Some(other) = variables.insert(upstream.variable.clone(), target) {
            errors.push(
                ConfigError::at(
                    &["route"],
                    format!("`{other}` and `{target}` make one variable, `{}`", upstream.variable),
                )
                .on_key()
                .with_help("the services' names differ only in `-` and `_`; rename one"),
            );
        }
    }
    for (key, port) in [("https-port", config.https_port), ("http-port", config.http_port)] {
        if port == 0 {
            errors.push(ConfigError::at(&[key], "port 0 cannot be published"));
        }
    }
    if config.https_port == config.http_port {
        errors.push(
            ConfigError::at(&["http-port"], format!("HTTPS is published on port {} already", config.https_port))
                .with_help("publish HTTP and HTTPS on two ports"),
        );
    }
    match (&config.certificate, &config.key) {
        (Some(_), None) => errors
            .push(ConfigError::at(&["certificate"], "a certificate without its key").with_help(
                "give `key (secret)\"…\"` too, or neither for the self-signed pair the image is built with",
            )),
        (None, Some(_)) => errors.push(ConfigError::at(&["key"], "a key without its certificate").with_help(
            "give `certificate (secret)\"…\"` too, or neither for the self-signed pair the image is built with",
        )),
        _ => {}
    }
    errors
}

/// A host name: dot-separated labels of letters, digits and inner `-`.
fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A path prefix nginx can take unquoted in `location`.
fn is_location(path: &str) -> bool {
    path.starts_with('/')
        && path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~' | b'%'))
        && !path.split('/').any(|part| part == "..")
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let own_certificate = config.certificate.is_some() && config.key.is_some();
    let dockerfile = TEMPLATES.render(
        "Dockerfile",
        &DockerfileData {
            service,
            server_name: &config.server_name,
            image: IMAGE,
            user: USER,
            tls_dir: TLS_DIR,
            certificate_name: CERTIFICATE_NAME,
            key_name: KEY_NAME,
            http_port: HTTP_PORT,
            https_port: HTTPS_PORT,
            own_certificate,
        },
    );
    let build = ImageBuild::new(service.clone(), vec![BundleFile::new("Dockerfile", dockerfile)]);

    let upstreams = upstreams(config);
    let server = TEMPLATES.render(
        "default.conf.template",
        &ServerData {
            service,
            server_name: &config.server_name,
            upstreams: upstreams
                .values()
                .map(|u| UpstreamData { name: u.name.clone(), placeholder: format!("${{{}}}", u.variable) })
                .collect(),
            locations: config
                .route
                .iter()
                .map(|(path, route)| LocationData { path, upstream: upstreams[route.to.target.as_str()].name.clone() })
                .collect(),
            http_port: HTTP_PORT,
            https_port: HTTPS_PORT,
            redirect_port: if config.https_port == 443 { String::new() } else { format!(":{}", config.https_port) },
            published_https_port: config.https_port,
            certificate: format!("{TLS_DIR}/{CERTIFICATE_NAME}"),
            key: format!("{TLS_DIR}/{KEY_NAME}"),
            hsts_max_age: config.hsts_max_age,
        },
    );

    let health = ["curl", "-fsS", "-o", "/dev/null", &format!("http://127.0.0.1:{HTTP_PORT}/")].map(str::to_owned);
    let mut container = Container::new(service.clone(), format!("{}/{service}:local", context.stack), USER)
        .built_by(service.clone())
        .with_env("NGINX_ENVSUBST_FILTER", format!("^{VARIABLE_PREFIX}"));
    for upstream in upstreams.values() {
        // The service's container on the project's networks; empty for a reference outside
        // the project, which the plan reports.
        let address = upstream.reference.endpoints.first().map(|e| e.authority()).unwrap_or_default();
        container = container.with_env(&upstream.variable, address);
    }
    container = container
        .with_file(ContainerFile::new(TEMPLATE, server))
        .publish(PublishedPort::tcp(config.https_port, HTTPS_PORT))
        .publish(PublishedPort::tcp(config.http_port, HTTP_PORT))
        .with_healthcheck(Healthcheck::new(health.to_vec()));
    if let (Some(certificate), Some(key)) = (&config.certificate, &config.key) {
        container = container
            .with_secret_file(format!("{TLS_DIR}/{CERTIFICATE_NAME}"), &certificate.name)
            .with_secret_file(format!("{TLS_DIR}/{KEY_NAME}"), &key.name);
    }
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![build.into(), container.into()]
}
