//! From config to the container: the pages and the server config, each mounted read-only into
//! the unprivileged nginx image.

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, Container, ContainerFile, Healthcheck, RenderContext, Templates};

use crate::config::Config;

pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("default.conf", include_str!("../templates/default.conf.hbs"))]);

/// nginx as an unprivileged user (uid 101); its entrypoint leaves a mounted server config as
/// it is.
pub const IMAGE: &str = "nginxinc/nginx-unprivileged:1.27-bookworm";
/// The image's `nginx` user and group.
pub const USER: &str = "101:101";
/// The document root of the image.
pub const ROOT: &str = "/usr/share/nginx/html";
/// Where the image's default server lives; the mounted config replaces it.
pub const SERVER_CONFIG: &str = "/etc/nginx/conf.d/default.conf";

#[derive(Serialize)]
struct ServerData<'a> {
    service: &'a str,
    port: u16,
    root: &'a str,
    index: &'a str,
    content_security_policy: &'a str,
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(context.check_in_compose("a static site"));
    if config.pages.is_empty() {
        errors.push(
            ConfigError::at(&["pages"], "the site has no pages")
                .with_help("read a directory of pages beside the stack: `pages (file)\"site\"`"),
        );
    }
    for path in config.pages.keys() {
        if !is_relative_path(path) {
            errors.push(
                ConfigError::at(&["pages", path], format!("`{path}` is not a relative page path")).on_key().with_help(
                    "pages are placed under the document root; use paths like `index.html` or `css/site.css`",
                ),
            );
        }
    }
    if !is_index_name(&config.index) {
        errors.push(
            ConfigError::at(&["index"], format!("`{}` is not a page path nginx can name", config.index))
                .with_help("use a relative path of letters, digits, `-`, `_`, `.` and `/`, such as `index.html`"),
        );
    } else if !config.pages.is_empty() && !config.pages.contains_key(&config.index) {
        errors.push(
            ConfigError::at(&["index"], format!("the site has no page `{}`", config.index))
                .with_help("name one of the pages, or add it to the site's directory"),
        );
    }
    if config.port < 1024 {
        errors.push(
            ConfigError::at(&["port"], "the unprivileged nginx listens on port 1024 or above")
                .with_help("keep the default, 8080"),
        );
    }
    let csp = &config.content_security_policy;
    if csp.trim().is_empty() || csp.chars().any(|c| matches!(c, '"' | '\\' | '$') || c.is_control()) {
        errors.push(
            ConfigError::at(&["content-security-policy"], "the policy must be one line without `\"`, `\\` or `$`")
                .with_help("write the header value as a browser reads it, e.g. `default-src 'self'`"),
        );
    }
    errors
}

/// A relative path without empty, `.` or `..` segments, backslashes or control characters.
fn is_relative_path(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// A relative path nginx can take unquoted in `index` and `try_files`.
fn is_index_name(path: &str) -> bool {
    is_relative_path(path) && path.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let server = TEMPLATES.render(
        "default.conf",
        &ServerData {
            service,
            port: config.port,
            root: ROOT,
            index: &config.index,
            content_security_policy: &config.content_security_policy,
        },
    );
    let health = vec![
        "curl".to_owned(),
        "-fsS".to_owned(),
        "-o".to_owned(),
        "/dev/null".to_owned(),
        format!("http://127.0.0.1:{}/", config.port),
    ];
    let mut container = Container::new(service.clone(), IMAGE, USER)
        .with_file(ContainerFile::new(SERVER_CONFIG, server))
        .with_healthcheck(Healthcheck::new(health));
    for (path, text) in &config.pages {
        container = container.with_file(ContainerFile::new(format!("{ROOT}/{path}"), text.as_str()));
    }
    for network in &config.networks {
        container = container.on_network(network);
    }
    vec![container.into()]
}
