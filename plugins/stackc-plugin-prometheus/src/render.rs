//! From config to Prometheus's config, its alert rules with their promtool unit tests, and
//! the package's defaults file. Scrape jobs come from the stack's metrics endpoints.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Container, ContainerFile, EndpointRole, Healthcheck, HostFile, PlacedEndpoint,
    PublishedPort, RenderContext, Templates, Volume, authority,
};

use crate::config::Config;
use crate::probes::{self, ProbeJob};
use crate::{rules, slo};

const PACKAGE: &str = "prometheus";
const CONFIG: &str = "/etc/prometheus/prometheus.yml";
const DEFAULTS: &str = "/etc/default/prometheus";
/// The upstream image, for a Compose project; it runs as `nobody`.
const IMAGE: &str = "prom/prometheus:v3.1.0";
const IMAGE_USER: &str = "65534:65534";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("prometheus.yml", include_str!("../templates/prometheus.yml.hbs")),
    ("rules.yml", include_str!("../templates/rules.yml.hbs")),
    ("rules_test.yml", include_str!("../templates/rules_test.yml.hbs")),
]);

#[derive(Serialize)]
struct Job {
    name: String,
    scheme: String,
    path: String,
    targets: Vec<Target>,
}

#[derive(Serialize)]
struct Target {
    authority: String,
    host: String,
}

#[derive(Serialize)]
struct Main<'a> {
    service: &'a str,
    stack: &'a str,
    scrape_interval: &'a str,
    evaluation_interval: &'a str,
    alertmanagers: Vec<String>,
    alertmanager_scheme: String,
    jobs: Vec<Job>,
    probes: Vec<ProbeJob>,
}

/// Metrics endpoints by (service, export), in job order.
type Grouped<'a> = BTreeMap<(&'a str, &'a str), Vec<&'a PlacedEndpoint>>;

fn metrics_endpoints(context: &RenderContext) -> Grouped<'_> {
    let mut grouped: Grouped<'_> = BTreeMap::new();
    for endpoint in context.stack_endpoints.iter().filter(|e| e.role == EndpointRole::Metrics) {
        grouped.entry((endpoint.service.as_str(), endpoint.name.as_str())).or_default().push(endpoint);
    }
    grouped
}

/// The job of each metrics export: named after the service, or `service-export` when a
/// service exports several metrics endpoints.
fn job_names(grouped: &Grouped<'_>) -> BTreeMap<(String, String), String> {
    let mut per_service: BTreeMap<&str, usize> = BTreeMap::new();
    for (service, _) in grouped.keys() {
        *per_service.entry(service).or_default() += 1;
    }
    grouped
        .keys()
        .map(|&(service, export)| {
            let name = if per_service[service] > 1 { format!("{service}-{export}") } else { service.to_owned() };
            ((service.to_owned(), export.to_owned()), name)
        })
        .collect()
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let durations = [
        ("retention", &config.retention),
        ("scrape-interval", &config.scrape_interval),
        ("evaluation-interval", &config.evaluation_interval),
        ("instance-down-for", &config.instance_down_for),
        ("high-load-for", &config.high_load_for),
    ];
    for (key, value) in durations {
        if let Some(value) = value
            && !is_duration(value)
        {
            errors.push(
                ConfigError::at(&[key], format!("`{value}` is not a duration"))
                    .with_help("write e.g. `30s`, `5m`, `15d`"),
            );
        }
    }
    if let Some(load) = config.high_load
        && !(load.is_finite() && load > 0.0)
    {
        errors.push(ConfigError::at(&["high-load"], "the load threshold must be a positive number"));
    }
    if let Some(am) = &config.alertmanager
        && am.endpoints.is_empty()
        && am.value.is_none()
    {
        errors.push(ConfigError::at(&["alertmanager"], format!("`{}` has no endpoints", am.target)));
    }
    let taken: BTreeSet<String> = job_names(&metrics_endpoints(context)).into_values().collect();
    errors.extend(probes::check(config, &taken, is_duration));
    errors.extend(probes::check_balancers(&config.balancers));
    if context.hosts.is_empty() && context.compose_project.is_none() {
        errors.push(ConfigError::service("prometheus runs on a host or in a Compose project: place it with `on=`"));
    }
    if context.compose_project.is_none() {
        for key in ["networks", "publish"] {
            let given = if key == "networks" { !config.networks.is_empty() } else { config.publish.is_some() };
            if given {
                errors.push(
                    ConfigError::at(&[key], format!("`{key}` is for a Compose project"))
                        .with_help("remove it, or place the service on the stack's Compose project"),
                );
            }
        }
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let templates = &TEMPLATES;

    // One job per (service, export).
    let grouped = metrics_endpoints(context);
    let names = job_names(&grouped);
    let jobs = grouped
        .iter()
        .map(|((service, export), endpoints)| Job {
            name: names[&((*service).to_owned(), (*export).to_owned())].clone(),
            scheme: endpoints[0].protocol.clone(),
            path: endpoints[0].path.clone(),
            targets: endpoints.iter().map(|e| Target { authority: e.authority(), host: e.host.clone() }).collect(),
        })
        .collect();

    let (alertmanagers, alertmanager_scheme) = match &config.alertmanager {
        Some(am) => (
            am.endpoints.iter().map(PlacedEndpoint::authority).collect(),
            am.endpoints.first().map_or_else(|| "http".to_owned(), |e| e.protocol.clone()),
        ),
        None => (Vec::new(), "http".to_owned()),
    };
    let main = Main {
        service: &context.service,
        stack: &context.stack,
        scrape_interval: config.scrape_interval.as_deref().unwrap_or("15s"),
        evaluation_interval: config.evaluation_interval.as_deref().unwrap_or("15s"),
        alertmanagers,
        alertmanager_scheme,
        jobs,
        probes: config.probe.iter().map(|(name, probe)| ProbeJob::new(name, probe)).collect(),
    };
    let thresholds = rules::Thresholds {
        high_load: config.high_load.unwrap_or(1.5),
        instance_down_for: config.instance_down_for.clone().unwrap_or_else(|| "1m".to_owned()),
        high_load_for: config.high_load_for.clone().unwrap_or_else(|| "5m".to_owned()),
    };
    let rules_path = format!("/etc/prometheus/rules/{}.yml", context.service);
    // The unit test runs from the bundle: `promtool test rules services/<service>/rules_test.yml`
    // reads the rule file from the first host's tree, or from the container's files.
    let rule_file = match &context.hosts.first() {
        Some(host) => format!("../../hosts/{}{rules_path}", host.name),
        None => format!("../../compose/files/{}{rules_path}", context.service),
    };
    let probes: Vec<(String, &crate::config::Probe)> = config.probe.iter().map(|(n, p)| (n.clone(), p)).collect();
    let mut balancer_jobs: Vec<String> =
        config.balancers.iter().filter_map(|b| names.get(&(b.service.clone(), b.export.clone())).cloned()).collect();
    balancer_jobs.sort();
    balancer_jobs.dedup();
    // A backend's 5xx count is compared over four scrapes, a minute at least.
    let window = (4.0 * slo::seconds(main.scrape_interval)).max(60.0);
    let slo = slo::slo(&probes, &balancer_jobs, window.to_string());
    let rules = rules::Rules::new(&thresholds, &rule_file, slo);
    let retention = config.retention.as_deref().unwrap_or("15d");
    let prometheus_yml = templates.render("prometheus.yml", &main);
    let rules_yml = templates.render("rules.yml", &rules);
    let rules_test = Artifact::bundle_file("rules_test.yml", templates.render("rules_test.yml", &rules));

    if context.compose_project.is_some() {
        let files = Files { prometheus_yml, rules_path, rules_yml, rules_test };
        return in_compose(config, context, retention, files);
    }

    let mut artifacts = vec![
        Artifact::package(PACKAGE),
        Artifact::host_file(CONFIG, prometheus_yml),
        Artifact::host_file(&rules_path, rules_yml),
    ];
    for host in &context.hosts {
        let authority = authority(&host.address, config.port());
        let defaults = format!(
            "# Written by stackc for service `{}`.\nARGS=\"--web.listen-address={authority} --storage.tsdb.retention.time={retention}\"\n",
            context.service
        );
        artifacts.push(HostFile::new(DEFAULTS, defaults).on_host(&host.name).into());
        artifacts.push(Artifact::http_check(
            format!("{} is ready on {}", context.service, host.name),
            format!("http://{authority}/-/ready"),
            200,
        ));
    }
    artifacts.push(rules_test);
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
}

/// What the host and Compose forms share.
struct Files {
    prometheus_yml: String,
    rules_path: String,
    rules_yml: String,
    rules_test: Artifact,
}

/// The upstream image in a Compose project: the same configuration and rules, mounted; the
/// samples on a volume of the service.
fn in_compose(config: &Config, context: &RenderContext, retention: &str, files: Files) -> Vec<Artifact> {
    let Files { prometheus_yml, rules_path, rules_yml, rules_test } = files;
    let service = &context.service;
    let port = config.port();
    let data = format!("{service}-data");
    let arguments = [
        format!("--config.file={CONFIG}"),
        "--storage.tsdb.path=/prometheus".to_owned(),
        format!("--storage.tsdb.retention.time={retention}"),
        format!("--web.listen-address=0.0.0.0:{port}"),
    ];
    let ready = format!("http://127.0.0.1:{port}/-/ready");
    let mut container = Container::new(service.clone(), IMAGE, IMAGE_USER)
        .with_command(arguments.to_vec())
        .with_file(ContainerFile::new(CONFIG, prometheus_yml))
        .with_file(ContainerFile::new(rules_path, rules_yml))
        .with_volume(&data, "/prometheus")
        .with_healthcheck(Healthcheck::new(["wget", "-q", "-O", "/dev/null", &ready].map(str::to_owned).to_vec()));
    for network in &config.networks {
        container = container.on_network(network);
    }
    if let Some(published) = config.publish {
        container = container.publish(PublishedPort::tcp(published, port).on_address("127.0.0.1"));
    }
    vec![Volume::new(data).into(), container.into(), rules_test]
}

/// A duration as the program takes it.
fn is_duration(text: &str) -> bool {
    stackc_plugin_sdk::duration::is_duration(text, stackc_plugin_sdk::duration::PROMETHEUS)
}

#[cfg(test)]
mod tests {
    use super::is_duration;

    #[test]
    fn durations() {
        for good in ["15d", "30s", "1h30m", "100ms"] {
            assert!(is_duration(good), "{good}");
        }
        for bad in ["", "15", "d", "1.5h", "5 m"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
