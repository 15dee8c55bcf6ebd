//! From config to Prometheus's config, its alert rules with their promtool unit tests, and
//! the package's defaults file. Scrape jobs come from the stack's metrics endpoints.

use std::collections::BTreeMap;

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, EndpointRole, HostFile, PlacedEndpoint, RenderContext, Templates, authority,
};

use crate::config::Config;
use crate::rules;

const PACKAGE: &str = "prometheus";
const CONFIG: &str = "/etc/prometheus/prometheus.yml";
const DEFAULTS: &str = "/etc/default/prometheus";

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
}

/// A Prometheus duration such as `30s`, `1m`, `15d`, `1h30m`.
fn is_duration(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"].into_iter().find(|u| rest.starts_with(u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
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
    if context.hosts.is_empty() {
        errors.push(ConfigError::service("prometheus needs a host: place it with `on=`"));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let templates = &TEMPLATES;

    // One job per (service, export); the job is named after the service, or `service-export`
    // when a service exports several metrics endpoints.
    let mut grouped: BTreeMap<(&str, &str), Vec<&PlacedEndpoint>> = BTreeMap::new();
    for endpoint in context.stack_endpoints.iter().filter(|e| e.role == EndpointRole::Metrics) {
        grouped.entry((endpoint.service.as_str(), endpoint.name.as_str())).or_default().push(endpoint);
    }
    let mut per_service: BTreeMap<&str, usize> = BTreeMap::new();
    for (service, _) in grouped.keys() {
        *per_service.entry(service).or_default() += 1;
    }
    let jobs = grouped
        .iter()
        .map(|((service, export), endpoints)| Job {
            name: if per_service[service] > 1 { format!("{service}-{export}") } else { (*service).to_owned() },
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
    };
    let thresholds = rules::Thresholds {
        high_load: config.high_load.unwrap_or(1.5),
        instance_down_for: config.instance_down_for.clone().unwrap_or_else(|| "1m".to_owned()),
        high_load_for: config.high_load_for.clone().unwrap_or_else(|| "5m".to_owned()),
    };
    let rules_path = format!("/etc/prometheus/rules/{}.yml", context.service);
    // The unit test runs from the bundle: `promtool test rules services/<service>/rules_test.yml`
    // reads the rule file from the first host's tree.
    let rule_file = format!("../../hosts/{}{rules_path}", context.hosts[0].name);
    let rules = rules::Rules::new(&thresholds, &rule_file);
    let retention = config.retention.as_deref().unwrap_or("15d");

    let mut artifacts = vec![
        Artifact::package(PACKAGE),
        Artifact::host_file(CONFIG, templates.render("prometheus.yml", &main)),
        Artifact::host_file(&rules_path, templates.render("rules.yml", &rules)),
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
    artifacts.push(Artifact::bundle_file("rules_test.yml", templates.render("rules_test.yml", &rules)));
    artifacts.push(Artifact::restarted_service(PACKAGE));
    artifacts
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
