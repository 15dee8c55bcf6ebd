//! From config to nginx files. Checks first (each problem a [`ConfigError`] at its config
//! path), then one template per file.

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, HttpCheck, RenderContext, SecretFile, Templates, authority};

use crate::config::{Balance, Config, Location, Upstream};
use crate::exporter;

const MAIN_CONF: &str = "/etc/nginx/nginx.conf";
const TLS_DIR: &str = "/etc/nginx/tls";

/// Values nginx accepts in `proxy_next_upstream`.
const NEXT_UPSTREAM: [&str; 12] = [
    "error",
    "timeout",
    "invalid_header",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "http_403",
    "http_404",
    "http_429",
    "non_idempotent",
    "off",
];

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("nginx.conf", include_str!("../templates/nginx.conf.hbs")),
    ("site.conf", include_str!("../templates/site.conf.hbs")),
]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let templates = &TEMPLATES;
    let service = &context.service;
    let root = config.root.clone().unwrap_or_else(|| format!("/var/www/{service}"));
    let mut artifacts =
        vec![Artifact::package("nginx"), Artifact::host_file(MAIN_CONF, templates.render("nginx.conf", &()))];
    for host in &context.hosts {
        let bind = config.bind.clone().unwrap_or_else(|| host.address.clone());
        let site = Site::new(config, context, (&host.name, &host.address), &bind, &root);
        let path = format!("/etc/nginx/conf.d/{service}.conf");
        artifacts.push(HostFile::new(path, templates.render("site.conf", &site)).on_host(&host.name).into());
        let check = HttpCheck::new(
            format!("{service} answers on {}", host.name),
            format!("{}://{}/", config.scheme(), authority(&host.address, config.port())),
            200,
        );
        // Lab certificates are often self-signed; the check is about the service answering.
        artifacts.push(if config.tls.is_some() { check.insecure() } else { check }.into());
    }
    if let Some(tls) = &config.tls {
        let certificate = SecretFile::new(format!("{TLS_DIR}/{service}.crt"), tls.certificate.name.clone());
        artifacts.push(certificate.with_mode(0o644).into());
        artifacts.push(Artifact::secret_file(format!("{TLS_DIR}/{service}.key"), tls.key.name.clone()));
    }
    for (name, contents) in &config.files {
        artifacts.push(Artifact::host_file(format!("{root}/{name}"), contents.as_bytes()));
    }
    artifacts.push(Artifact::reloaded_service("nginx"));
    artifacts.extend(exporter::render(config, context));
    artifacts
}

/// Everything that would make nginx refuse the file, or make it mean something else.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut token = |path: &[&str], value: &str| {
        if value.is_empty() || value.contains(|c: char| c.is_whitespace() || ";{}\"'#$\\".contains(c)) {
            errors.push(
                ConfigError::at(path, format!("`{value}` cannot be used in an nginx directive"))
                    .with_help("no spaces, quotes, `;`, `{`, `}`, `#`, `$` or `\\`"),
            );
        }
    };
    for name in &config.server_name {
        token(&["server-name"], name);
    }
    for name in &config.index {
        token(&["index"], name);
    }
    if let Some(bind) = &config.bind {
        token(&["bind"], bind);
    }
    if let Some(root) = &config.root {
        token(&["root"], root);
    }
    if let Some(status) = &config.status {
        token(&["status", "path"], &status.path);
        for client in &status.allow {
            token(&["status", "allow"], client);
        }
    }
    for (name, upstream) in &config.upstream {
        token(&["upstream", name], name);
        token(&["upstream", name, "fail-timeout"], &upstream.fail_timeout);
    }
    for (path, location) in &config.location {
        for (key, value) in [
            ("connect-timeout", &location.connect_timeout),
            ("read-timeout", &location.read_timeout),
            ("send-timeout", &location.send_timeout),
            ("next-upstream-timeout", &location.next_upstream_timeout),
        ] {
            check_duration(&mut errors, &["location", path, key], value);
        }
    }
    for (name, upstream) in &config.upstream {
        check_duration(&mut errors, &["upstream", name, "fail-timeout"], &upstream.fail_timeout);
        check_upstream(&mut errors, name, upstream);
    }
    for (path, location) in &config.location {
        check_location(&mut errors, config, path, location);
    }
    for name in config.files.keys() {
        if name.starts_with('/') || name.split('/').any(|part| part.is_empty() || part == "..") {
            errors.push(
                ConfigError::at(&["files", name], format!("`{name}` is not a relative file name"))
                    .on_key()
                    .with_help("files are placed under `root`; use names like `index.html` or `css/site.css`"),
            );
        }
    }
    errors.extend(exporter::check(config));
    if context.hosts.is_empty() {
        errors.push(
            ConfigError::service("an nginx service needs hosts to run on")
                .with_help("place it with `on=\"host-or-group\"`"),
        );
    }
    errors
}

fn check_duration(errors: &mut Vec<ConfigError>, path: &[&str], value: &str) {
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ["", "ms", "s", "m", "h", "d"].contains(&unit);
    if !ok {
        errors.push(
            ConfigError::at(path, format!("`{value}` is not an nginx time"))
                .with_help("write a number with an optional unit: `500ms`, `2s`, `1m`"),
        );
    }
}

fn check_upstream(errors: &mut Vec<ConfigError>, name: &str, upstream: &Upstream) {
    for (i, server) in upstream.servers.iter().enumerate() {
        let index = i.to_string();
        let path = ["upstream", name, "servers", index.as_str()];
        // During `expose` references are unresolved; during `render` they must lead somewhere.
        if server.endpoints.is_empty() {
            errors.push(
                ConfigError::at(&path, format!("`{}` has no endpoints", server.target))
                    .with_help(format!("place service `{}` on a host", server.service)),
            );
        }
        for endpoint in &server.endpoints {
            if endpoint.protocol != "http" && endpoint.protocol != "https" {
                errors.push(ConfigError::at(
                    &path,
                    format!("`{}` speaks {}, not HTTP", server.target, endpoint.protocol),
                ));
            }
        }
    }
}

fn check_location(errors: &mut Vec<ConfigError>, config: &Config, path: &str, location: &Location) {
    if !(path.starts_with('/') || path.starts_with("= /") || path.starts_with("~")) {
        errors.push(
            ConfigError::at(&["location", path], format!("`{path}` is not a location path"))
                .on_key()
                .with_help("locations start with `/` (or `= /` for an exact match)"),
        );
    }
    for value in &location.next_upstream {
        if !NEXT_UPSTREAM.contains(&value.as_str()) {
            errors.push(
                ConfigError::at(
                    &["location", path, "next-upstream"],
                    format!("`{value}` is not a proxy_next_upstream condition"),
                )
                .with_help(format!("use any of: {}", NEXT_UPSTREAM.join(", "))),
            );
        }
    }
    if let Some(proxy) = &location.proxy
        && !config.upstream.contains_key(proxy)
    {
        let names: Vec<&str> = config.upstream.keys().map(String::as_str).collect();
        errors.push(ConfigError::at(&["location", path, "proxy"], format!("no upstream named `{proxy}`")).with_help(
            if names.is_empty() {
                format!("declare it: `upstream \"{proxy}\" {{ servers (ref)\"service.http\" }}`")
            } else {
                format!("upstreams here: {}", names.join(", "))
            },
        ));
    }
}

/// Template data for one host's `conf.d/<service>.conf`.
#[derive(Serialize)]
struct Site {
    service: String,
    host: String,
    listen: String,
    redirect: Option<String>,
    server_names: String,
    root: String,
    index: String,
    tls: Option<SiteTls>,
    upstreams: Vec<SiteUpstream>,
    locations: Vec<SiteLocation>,
    status: Option<SiteStatus>,
}

#[derive(Serialize)]
struct SiteTls {
    certificate: String,
    key: String,
    hsts_max_age: u32,
}

#[derive(Serialize)]
struct SiteUpstream {
    name: String,
    least_conn: bool,
    servers: Vec<String>,
    max_fails: u32,
    fail_timeout: String,
    keepalive: u32,
}

#[derive(Serialize)]
struct SiteLocation {
    path: String,
    proxy: Option<SiteProxy>,
}

#[derive(Serialize)]
struct SiteProxy {
    pass: String,
    connect_timeout: String,
    read_timeout: String,
    send_timeout: String,
    next_upstream: String,
    tries: u32,
    timeout: String,
}

#[derive(Serialize)]
struct SiteStatus {
    path: String,
    allow: Vec<String>,
}

impl Site {
    fn new(config: &Config, context: &RenderContext, host: (&str, &str), bind: &str, root: &str) -> Self {
        let (host, host_address) = host;
        let service = &context.service;
        // Upstream names are global to nginx's http block; prefix them with the service so
        // that two services on one host cannot collide.
        let upstream_name =
            |name: &str| format!("{}_{}", service.replace(['-', '.'], "_"), name.replace(['-', '.'], "_"));
        let upstreams = config
            .upstream
            .iter()
            .map(|(name, u)| SiteUpstream {
                name: upstream_name(name),
                least_conn: u.balance == Balance::LeastConn,
                servers: u.servers.iter().flat_map(|s| s.endpoints.iter().map(|e| e.authority())).collect(),
                max_fails: u.max_fails,
                fail_timeout: u.fail_timeout.clone(),
                keepalive: u.keepalive,
            })
            .collect();
        let mut locations: Vec<SiteLocation> = config
            .location
            .iter()
            .map(|(path, l)| SiteLocation {
                path: path.clone(),
                proxy: l.proxy.as_ref().map(|up| {
                    let scheme = config.upstream[up]
                        .servers
                        .iter()
                        .flat_map(|s| &s.endpoints)
                        .next()
                        .map_or("http", |e| e.protocol.as_str());
                    SiteProxy {
                        pass: format!("{scheme}://{}{}", upstream_name(up), l.proxy_path.clone().unwrap_or_default()),
                        connect_timeout: l.connect_timeout.clone(),
                        read_timeout: l.read_timeout.clone(),
                        send_timeout: l.send_timeout.clone(),
                        next_upstream: l.next_upstream.join(" "),
                        tries: l.next_upstream_tries,
                        timeout: l.next_upstream_timeout.clone(),
                    }
                }),
            })
            .collect();
        if locations.is_empty() {
            locations.push(SiteLocation { path: "/".to_owned(), proxy: None });
        }
        Site {
            service: service.clone(),
            host: host.to_owned(),
            listen: authority(bind, config.port()),
            redirect: config.tls.as_ref().and_then(|t| t.redirect_from).map(|p| authority(bind, p)),
            server_names: if config.server_name.is_empty() { "_".to_owned() } else { config.server_name.join(" ") },
            root: root.to_owned(),
            index: if config.index.is_empty() { "index.html".to_owned() } else { config.index.join(" ") },
            tls: config.tls.as_ref().map(|t| SiteTls {
                certificate: format!("{TLS_DIR}/{service}.crt"),
                key: format!("{TLS_DIR}/{service}.key"),
                hsts_max_age: t.hsts_max_age,
            }),
            upstreams,
            locations,
            status: config.status.as_ref().map(|s| {
                let mut allow = s.allow.clone();
                // The exporter connects from the address it reaches nginx at.
                if config.metrics.is_some() {
                    allow.push(exporter::scrape_address(config, host_address));
                }
                SiteStatus { path: s.path.clone(), allow }
            }),
        }
    }
}
