//! From config to `/etc/haproxy/haproxy.cfg`. Checks first (each problem a [`ConfigError`]
//! at its config path), then one template per host: every host binds its own address.

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, ConfigError, HostFile, HttpCheck, RenderContext, Templates, TrafficGate, authority};

use crate::config::{Backend, Config};

const CONFIG_FILE: &str = "/etc/haproxy/haproxy.cfg";

/// Drains a server and puts it back through the runtime API (see the script's header).
pub const GATE: &str = "/usr/local/sbin/haproxy-gate";
const GATE_SCRIPT: &str = include_str!("../files/haproxy-gate");

/// The name of the exporter's frontend and of its endpoint.
pub const METRICS: &str = "metrics";

/// Conditions HAProxy 2.6 accepts in `retry-on`.
const RETRY_ON: [&str; 17] = [
    "none",
    "conn-failure",
    "empty-response",
    "junk-response",
    "response-timeout",
    "0rtt-rejected",
    "all-retryable-errors",
    "401",
    "403",
    "404",
    "408",
    "425",
    "500",
    "501",
    "502",
    "503",
    "504",
];

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("haproxy.cfg", include_str!("../templates/haproxy.cfg.hbs"))]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    // socat speaks to the runtime API for the gate script.
    let mut artifacts = vec![Artifact::package("haproxy"), Artifact::package("socat")];
    for host in &context.hosts {
        let file = HaproxyCfg::new(config, context, &host.name, &host.address);
        artifacts.push(HostFile::new(CONFIG_FILE, TEMPLATES.render("haproxy.cfg", &file)).on_host(&host.name).into());
        // The exporter answers whatever state the backends are in: HAProxy itself is up.
        let url = format!("http://{}{}", authority(&host.address, config.metrics.port), config.metrics.path);
        artifacts
            .push(HttpCheck::new(format!("{} exports metrics on {}", context.service, host.name), url, 200).into());
    }
    artifacts.push(Artifact::reloaded_service("haproxy"));
    artifacts.push(HostFile::new(GATE, GATE_SCRIPT).with_mode(0o755).into());
    artifacts.extend(gates(config));
    artifacts
}

/// A traffic gate for every server of every backend: a deployment that updates the server's
/// host drains it from the backend on each balancer first and puts it back afterwards.
fn gates(config: &Config) -> impl Iterator<Item = Artifact> + '_ {
    config.backend.iter().flat_map(move |(backend, b)| {
        b.servers.iter().flat_map(|s| &s.endpoints).map(move |e| {
            let argv = |action: &str| {
                [GATE, &config.stats_socket, action, backend, &server_name(&e.service, &e.host)]
                    .map(str::to_owned)
                    .to_vec()
            };
            TrafficGate::new(&e.service, &e.host, argv("drain"), argv("enable")).into()
        })
    })
}

/// Everything that would make HAProxy refuse the file, or make it mean something else.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for name in config.frontend.keys() {
        check_identifier(&mut errors, &["frontend", name], name);
        if name == METRICS {
            errors.push(
                ConfigError::at(&["frontend", name], "`metrics` is the name of the Prometheus exporter's frontend")
                    .on_key()
                    .with_help("give the frontend another name; the exporter is configured with `metrics { port … }`"),
            );
        }
    }
    for name in config.backend.keys() {
        check_identifier(&mut errors, &["backend", name], name);
    }
    if config.frontend.is_empty() {
        errors.push(
            ConfigError::service("an haproxy service needs at least one frontend")
                .with_help("add `frontend \"api\" { port 80; backend \"api\" }`"),
        );
    }
    let mut ports = BTreeSet::from([config.metrics.port]);
    for (name, frontend) in &config.frontend {
        if !ports.insert(frontend.port) {
            errors.push(ConfigError::at(
                &["frontend", name, "port"],
                format!("port {} is taken by another frontend or the metrics exporter", frontend.port),
            ));
        }
        for (i, address) in frontend.bind.iter().enumerate() {
            if address.parse::<IpAddr>().is_err() {
                errors.push(
                    ConfigError::at(
                        &["frontend", name, "bind", &i.to_string()],
                        format!("`{address}` is not an IP address"),
                    )
                    .with_help("list addresses such as a virtual IP (`10.30.0.100`); the host's own is always bound"),
                );
            }
        }
        if !config.backend.contains_key(&frontend.backend) {
            let names: Vec<&str> = config.backend.keys().map(String::as_str).collect();
            errors.push(
                ConfigError::at(&["frontend", name, "backend"], format!("no backend named `{}`", frontend.backend))
                    .with_help(if names.is_empty() {
                        format!("declare it: `backend \"{}\" {{ servers (ref)\"service.http\" }}`", frontend.backend)
                    } else {
                        format!("backends here: {}", names.join(", "))
                    }),
            );
        }
    }
    for (name, backend) in &config.backend {
        check_backend(&mut errors, name, backend);
    }
    for (key, value) in config.timeouts.entries() {
        check_time(&mut errors, &["timeouts", key], value);
    }
    if config.maxconn == 0 {
        errors.push(ConfigError::at(&["maxconn"], "`maxconn` must be at least 1"));
    }
    check_path(&mut errors, &["metrics", "path"], &config.metrics.path);
    if !config.stats_socket.starts_with('/') || config.stats_socket.contains(char::is_whitespace) {
        errors.push(ConfigError::at(
            &["stats-socket"],
            format!("`{}` is not an absolute path without spaces", config.stats_socket),
        ));
    }
    if context.hosts.is_empty() {
        errors.push(
            ConfigError::service("an haproxy service needs hosts to run on")
                .with_help("place it with `on=\"host-or-group\"`"),
        );
    }
    errors
}

fn check_backend(errors: &mut Vec<ConfigError>, name: &str, backend: &Backend) {
    let mut server_names = BTreeSet::new();
    for (i, server) in backend.servers.iter().enumerate() {
        let index = i.to_string();
        let path = ["backend", name, "servers", index.as_str()];
        // During `expose` references are unresolved; during `render` they must lead somewhere.
        if server.endpoints.is_empty() {
            errors.push(
                ConfigError::at(&path, format!("`{}` has no endpoints", server.target))
                    .with_help(format!("place service `{}` on a host", server.service)),
            );
        }
        for endpoint in &server.endpoints {
            if endpoint.protocol != "http" {
                errors.push(ConfigError::at(
                    &path,
                    format!("`{}` speaks {}, not plain HTTP", server.target, endpoint.protocol),
                ));
            }
            let server_name = server_name(&endpoint.service, &endpoint.host);
            if !identifier(&server_name) {
                errors.push(ConfigError::at(&path, format!("`{server_name}` cannot name an HAProxy server")));
            } else if !server_names.insert(server_name.clone()) {
                errors.push(
                    ConfigError::at(&path, format!("server `{server_name}` is listed twice"))
                        .with_help("reference each service once per backend"),
                );
            }
        }
    }
    if backend.servers.is_empty() {
        errors.push(ConfigError::at(&["backend", name, "servers"], "a backend needs at least one server"));
    }
    for value in &backend.retry_on {
        if !RETRY_ON.contains(&value.as_str()) {
            errors.push(
                ConfigError::at(&["backend", name, "retry-on"], format!("`{value}` is not a retry-on condition"))
                    .with_help(format!("use any of: {}", RETRY_ON.join(", "))),
            );
        }
    }
    let check = &backend.check;
    check_path(errors, &["backend", name, "check", "path"], &check.path);
    check_time(errors, &["backend", name, "check", "interval"], &check.interval);
    if !(100..=599).contains(&check.status) {
        errors.push(ConfigError::at(
            &["backend", name, "check", "status"],
            format!("{} is not an HTTP status", check.status),
        ));
    }
    for (key, value) in [("fall", check.fall), ("rise", check.rise)] {
        if value == 0 {
            errors.push(ConfigError::at(&["backend", name, "check", key], format!("`{key}` must be at least 1")));
        }
    }
}

/// HAProxy's proxy and server names: letters, digits, `-`, `_`, `.` and `:`.
fn identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

fn check_identifier(errors: &mut Vec<ConfigError>, path: &[&str], name: &str) {
    if !identifier(name) {
        errors.push(
            ConfigError::at(path, format!("`{name}` cannot name an HAProxy proxy"))
                .on_key()
                .with_help("use letters, digits, `-`, `_`, `.` and `:`"),
        );
    }
}

fn check_time(errors: &mut Vec<ConfigError>, path: &[&str], value: &str) {
    let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &value[digits.len()..];
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ["", "us", "ms", "s", "m", "h", "d"].contains(&unit);
    if !ok {
        errors.push(
            ConfigError::at(path, format!("`{value}` is not an HAProxy time"))
                .with_help("write a number with an optional unit: `500ms`, `2s`, `1m`"),
        );
    }
}

fn check_path(errors: &mut Vec<ConfigError>, path: &[&str], value: &str) {
    if !value.starts_with('/') || value.contains(|c: char| c.is_whitespace() || c.is_control() || "#\\\"'".contains(c))
    {
        errors.push(
            ConfigError::at(path, format!("`{value}` is not a URL path"))
                .with_help("start with `/`; no spaces, quotes, `#` or `\\`"),
        );
    }
}

/// `<service>-<host>`: unique per backend as long as each service is referenced once.
fn server_name(service: &str, host: &str) -> String {
    format!("{service}-{host}")
}

/// Template data for one host's `haproxy.cfg`.
#[derive(Serialize)]
struct HaproxyCfg {
    service: String,
    host: String,
    maxconn: u32,
    stats_socket: String,
    timeouts: Vec<Timeout>,
    frontends: Vec<FrontendData>,
    backends: Vec<BackendData>,
    metrics_bind: String,
    metrics_path: String,
}

#[derive(Serialize)]
struct Timeout {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct FrontendData {
    name: String,
    binds: Vec<Bind>,
    backend: String,
}

#[derive(Serialize)]
struct Bind {
    address: String,
    /// An address the host may not have yet (a virtual IP on a backup).
    transparent: bool,
}

#[derive(Serialize)]
struct BackendData {
    name: String,
    balance: &'static str,
    retries: u32,
    retry_on: String,
    redispatch: bool,
    check_path: String,
    check_status: u16,
    interval: String,
    fall: u32,
    rise: u32,
    servers: Vec<Server>,
}

#[derive(Serialize)]
struct Server {
    name: String,
    address: String,
}

impl HaproxyCfg {
    fn new(config: &Config, context: &RenderContext, host: &str, address: &str) -> Self {
        let frontends = config
            .frontend
            .iter()
            .map(|(name, frontend)| {
                let mut binds = vec![Bind { address: authority(address, frontend.port), transparent: false }];
                for extra in &frontend.bind {
                    if extra != address {
                        binds.push(Bind { address: authority(extra, frontend.port), transparent: true });
                    }
                }
                FrontendData { name: name.clone(), binds, backend: frontend.backend.clone() }
            })
            .collect();
        let backends = config
            .backend
            .iter()
            .map(|(name, backend)| BackendData {
                name: name.clone(),
                balance: backend.balance.directive(),
                retries: backend.retries,
                retry_on: backend.retry_on.join(" "),
                redispatch: backend.redispatch,
                check_path: backend.check.path.clone(),
                check_status: backend.check.status,
                interval: backend.check.interval.clone(),
                fall: backend.check.fall,
                rise: backend.check.rise,
                servers: backend
                    .servers
                    .iter()
                    .flat_map(|s| &s.endpoints)
                    .map(|e| Server { name: server_name(&e.service, &e.host), address: e.authority() })
                    .collect(),
            })
            .collect();
        HaproxyCfg {
            service: context.service.clone(),
            host: host.to_owned(),
            maxconn: config.maxconn,
            stats_socket: config.stats_socket.clone(),
            timeouts: config
                .timeouts
                .entries()
                .into_iter()
                .map(|(name, value)| Timeout { name, value: value.to_owned() })
                .collect(),
            frontends,
            backends,
            metrics_bind: authority(address, config.metrics.port),
            metrics_path: config.metrics.path.clone(),
        }
    }
}
