//! From config to a Helm release of prometheus-community/prometheus: checks first (each
//! problem a [`ConfigError`] at its config path), then the values file from one template.
//!
//! # Scrape targets
//!
//! Every scrape job is derived from references, never from written-out addresses:
//!
//! - a reference to a service placed on hosts resolves to its endpoint on every host, and
//!   the job lists those `address:port`s (`static_configs`);
//! - a reference to a service in the cluster (a Helm release, Kubernetes objects) resolves to
//!   the port of a Kubernetes Service its plugin names (for `(ref)"redis.metrics"`: port
//!   `http-metrics` of Service `redis-metrics`, which the redis-helm plugin's release puts in
//!   front of its exporters), so Prometheus discovers it: the job watches the EndpointSlices
//!   of those namespaces and keeps the endpoints of exactly those Services and ports, so
//!   that every ready pod behind them, each Redis node, is a target of its own. The chart's
//!   RBAC already lets the server list EndpointSlices cluster-wide.

use serde::Serialize;
use stackc_plugin_sdk::kube::{STORAGE_UNITS, check_in_cluster, check_namespace, is_dns_label, is_quantity};
use stackc_plugin_sdk::{
    Artifact, ConfigError, EndpointRole, HelmRelease, PlacedEndpoint, Ref, RenderContext, ServicePort, Templates,
};

use crate::config::{Config, Scrape};

/// The chart, its repository, the version the values are written for, and the Prometheus
/// version that chart version ships.
pub const CHART: &str = "prometheus";
pub const REPOSITORY: &str = "https://prometheus-community.github.io/helm-charts";
pub const CHART_VERSION: &str = "29.27.0";
pub const APP_VERSION: &str = "v3.14.0";

/// The chart's server Service port.
pub const SERVER_PORT: u16 = 80;

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("values.yaml", include_str!("../templates/values.yaml.hbs"))]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let jobs = config.scrape.iter().map(|(name, scrape)| Job::new(name, scrape)).collect();
    let values = Values {
        stack: context.stack.clone(),
        release: context.service.clone(),
        chart_version: CHART_VERSION,
        image_tag: image_tag(config.version.as_deref().unwrap_or(APP_VERSION)).unwrap_or_default(),
        retention: format!("{}d", config.retention_days),
        persistence: config.persistence,
        volume_size: config.volume_size.clone(),
        alerts: config.alerts.then(|| Alerts {
            jobs: config.scrape.keys().cloned().collect::<Vec<_>>().join("|"),
            kubernetes: config.kube_state_metrics != Some(false),
        }),
        components: [
            ("alertmanager", config.alertmanager),
            ("kube-state-metrics", config.kube_state_metrics),
            ("prometheus-node-exporter", config.node_exporter),
            ("prometheus-pushgateway", config.pushgateway),
        ]
        .into_iter()
        .filter_map(|(chart, enabled)| enabled.map(|enabled| Component { chart, enabled }))
        .collect(),
        jobs,
    };
    let values = TEMPLATES.render("values.yaml", &values);
    vec![HelmRelease::new(&context.service, CHART, REPOSITORY, CHART_VERSION, &config.namespace, values).into()]
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    if !is_dns_label(&context.service) || context.service.len() > 40 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name a Helm release of Prometheus", context.service))
                .with_help("name the service with at most 40 lower-case letters, digits and `-`"),
        );
    }
    errors.extend(check_in_cluster(context, "a Helm release runs"));
    if let Some(version) = &config.version
        && let Err(why) = image_tag(version)
    {
        errors.push(
            ConfigError::at(&["version"], format!("`{version}` cannot be a Prometheus image tag: {why}"))
                .with_help(format!("write a full version such as `{APP_VERSION}`")),
        );
    }
    if config.retention_days < 1 {
        errors.push(
            ConfigError::at(
                &["retention-days"],
                format!("retention must be at least one day, not {}", config.retention_days),
            )
            .with_help("Prometheus's own default is 15 days"),
        );
    }
    if config.persistence && !is_quantity(&config.volume_size, &STORAGE_UNITS) {
        errors.push(
            ConfigError::at(&["volume-size"], format!("`{}` is not a storage size", config.volume_size))
                .with_help("write a Kubernetes quantity such as `8Gi` or `500Mi`"),
        );
    }
    for (name, scrape) in &config.scrape {
        check_job(name, scrape, &mut errors);
    }
    if config.alerts && config.scrape.is_empty() && config.kube_state_metrics == Some(false) {
        errors.push(
            ConfigError::at(&["alerts"], "there is nothing to alert on: no scrape job, and kube-state-metrics is off")
                .with_help("add a scrape job, or let the chart run kube-state-metrics"),
        );
    }
    errors
}

/// `v` + `MAJOR.MINOR.PATCH`, with an optional `-pre` suffix: the tags Prometheus publishes.
fn image_tag(version: &str) -> Result<String, &'static str> {
    let bare = version.strip_prefix('v').unwrap_or(version);
    if bare.contains('+') {
        return Err("image tags cannot carry `+build` metadata");
    }
    let (core, pre) = bare.split_once('-').unwrap_or((bare, ""));
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err("it needs major, minor and patch numbers");
    }
    if !pre.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
        return Err("the suffix after `-` may hold only letters, digits and `.`");
    }
    Ok(format!("v{bare}"))
}

/// Template data for `values.yaml`.
#[derive(Serialize)]
struct Values {
    stack: String,
    release: String,
    chart_version: &'static str,
    image_tag: String,
    retention: String,
    persistence: bool,
    volume_size: String,
    components: Vec<Component>,
    jobs: Vec<Job>,
    alerts: Option<Alerts>,
}

/// The alerting rules: on the stack's scrape jobs, and on the cluster's objects.
#[derive(Serialize)]
struct Alerts {
    /// Every scrape job's name, as one regex alternation (job names need no escaping).
    jobs: String,
    /// Whether kube-state-metrics runs, whose series the cluster's rules read.
    kubernetes: bool,
}

#[derive(Serialize)]
struct Component {
    chart: &'static str,
    enabled: bool,
}

/// One scrape job.
#[derive(Serialize)]
struct Job {
    name: String,
    /// `service.export` of every reference, for the comment above the job.
    sources: String,
    interval: Option<String>,
    scheme: String,
    metrics_path: String,
    /// Host-placed services: `address:port` of every endpoint.
    targets: Vec<String>,
    /// Cluster-level services: where to discover them.
    discovery: Option<Discovery>,
}

#[derive(Serialize)]
struct Discovery {
    /// Every namespace of the Services, sorted.
    namespaces: Vec<String>,
    /// `Service port <port> of <namespace>/<service>` of each, for the comment.
    ports: Vec<String>,
    /// `<namespace>;<service>;<port>` of each, as one regex alternation.
    keep: String,
}

/// The references of a job to services placed on hosts, and to services in the cluster.
fn partition(scrape: &Scrape) -> (Vec<&Ref>, Vec<&Ref>) {
    scrape.metrics.iter().partition(|r| r.endpoints.iter().all(|e| e.in_cluster.is_none()))
}

/// Every Service port the cluster references of a job resolved to, in reference order.
fn service_ports<'a>(cluster: &[&'a Ref]) -> Vec<&'a ServicePort> {
    cluster.iter().flat_map(|r| r.endpoints.iter().filter_map(|e| e.in_cluster.as_ref())).collect()
}

/// Every endpoint of the host-placed references, with its reference.
fn placed_endpoints<'a>(placed: &[&'a Ref]) -> Vec<(&'a Ref, &'a PlacedEndpoint)> {
    placed.iter().flat_map(|r| r.endpoints.iter().map(move |e| (*r, e))).collect()
}

/// One scrape job's problems, each at its path under `scrape "<name>"`.
fn check_job(name: &str, scrape: &Scrape, errors: &mut Vec<ConfigError>) {
    let path = |key: &str| ["scrape".to_owned(), name.to_owned(), key.to_owned()];
    let at = |key: &str, message: String| {
        let p = path(key);
        ConfigError::at(&p.iter().map(String::as_str).collect::<Vec<_>>(), message)
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        errors.push(
            ConfigError::at(&["scrape", name], format!("`{name}` cannot name a scrape job"))
                .on_key()
                .with_help("use letters, digits, `-` and `_`"),
        );
    }
    if scrape.metrics.is_empty() {
        errors.push(
            at("metrics", "a scrape job needs at least one reference".to_owned())
                .with_help("write `metrics (ref)\"service.metrics\"`"),
        );
    }
    if let Some(interval) = &scrape.interval
        && !is_duration(interval)
    {
        errors.push(
            at("interval", format!("`{interval}` is not a Prometheus duration")).with_help("write e.g. `30s` or `1m`"),
        );
    }
    let (placed, cluster) = partition(scrape);
    if !placed.is_empty() && !cluster.is_empty() {
        errors.push(
            at("metrics", "a scrape job cannot mix services on hosts with services in the cluster".to_owned())
                .with_help("split it into two scrape jobs"),
        );
    }
    for r in placed.iter().filter(|r| r.endpoints.is_empty()) {
        errors.push(at("metrics", format!("`{}` has no endpoint Prometheus can reach", r.target)).with_help(format!(
            "`{}` is placed on no host, and its plugin names no Kubernetes Service for it",
            r.service
        )));
    }
    let endpoints = placed_endpoints(&placed);
    for (r, e) in endpoints.iter().chain(&placed_endpoints(&cluster)) {
        if e.role != EndpointRole::Metrics {
            errors.push(
                at("metrics", format!("`{}` is not a metrics endpoint", r.target))
                    .with_help(format!("reference an export of `{}` with the metrics role", r.service)),
            );
        }
        if e.protocol != "http" && e.protocol != "https" {
            errors.push(at("metrics", format!("`{}` speaks {}, not HTTP", r.target, e.protocol)));
        }
    }
    let (paths, schemes) = paths_and_schemes(&endpoints);
    if paths.len() > 1 || schemes.len() > 1 {
        errors.push(
            at("metrics", "the endpoints of one scrape job must share a scheme and a path".to_owned())
                .with_help("split it into one scrape job per kind of endpoint"),
        );
    }
}

/// The metrics paths and schemes of a job's endpoints, consecutive duplicates removed.
fn paths_and_schemes<'a>(endpoints: &[(&Ref, &'a PlacedEndpoint)]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut paths: Vec<&str> = endpoints.iter().map(|(_, e)| e.path.as_str()).collect();
    paths.dedup();
    let mut schemes: Vec<&str> = endpoints.iter().map(|(_, e)| e.protocol.as_str()).collect();
    schemes.dedup();
    (paths, schemes)
}

impl Job {
    /// The job of a scrape `check_job` passed.
    fn new(name: &str, scrape: &Scrape) -> Job {
        let (placed, cluster) = partition(scrape);
        let endpoints = placed_endpoints(&placed);
        let (paths, schemes) = paths_and_schemes(&endpoints);
        Job {
            name: name.to_owned(),
            sources: scrape.metrics.iter().map(|r| format!("`{}`", r.target)).collect::<Vec<_>>().join(", "),
            interval: scrape.interval.clone(),
            scheme: schemes.first().copied().unwrap_or("http").to_owned(),
            metrics_path: paths.first().copied().unwrap_or("/metrics").to_owned(),
            targets: endpoints.iter().map(|(_, e)| e.authority()).collect(),
            discovery: (!cluster.is_empty()).then(|| Discovery::new(&service_ports(&cluster))),
        }
    }
}

impl Discovery {
    fn new(ports: &[&ServicePort]) -> Discovery {
        let mut namespaces: Vec<String> = ports.iter().map(|p| p.namespace.clone()).collect();
        namespaces.sort();
        namespaces.dedup();
        // Namespaces, Services and port names are DNS labels: nothing in them needs escaping.
        let keys: Vec<String> =
            ports.iter().map(|p| format!("{};{};{}", p.namespace, p.service, p.port_name)).collect();
        Discovery {
            namespaces,
            ports: ports
                .iter()
                .map(|p| format!("port {} of Service {}/{}", p.port_name, p.namespace, p.service))
                .collect(),
            keep: if keys.len() == 1 { keys[0].clone() } else { format!("({})", keys.join("|")) },
        }
    }
}

/// A duration as the program takes it.
fn is_duration(text: &str) -> bool {
    stackc_plugin_sdk::duration::is_duration(text, stackc_plugin_sdk::duration::PROMETHEUS)
}
