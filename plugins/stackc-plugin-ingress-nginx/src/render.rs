//! From config to a Helm release of ingress-nginx: checks first (each problem a
//! [`ConfigError`] at its config path), then the values file from one template.

use std::net::IpAddr;

use serde::Serialize;
use stackc_plugin_sdk::kube::{self, check_in_cluster, check_namespace, is_dns_label, is_dns_subdomain};
use stackc_plugin_sdk::{Artifact, ConfigError, HelmRelease, RenderContext, Templates};

use crate::config::Config;

/// The chart, its repository and the version the values are written for.
pub const CHART: &str = "ingress-nginx";
pub const REPOSITORY: &str = "https://kubernetes.github.io/ingress-nginx";
pub const CHART_VERSION: &str = "4.15.1";

/// Ports of the controller's Services.
pub const HTTP_PORT: u16 = 80;
pub const HTTPS_PORT: u16 = 443;
pub const METRICS_PORT: u16 = 10254;

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("values.yaml", include_str!("../templates/values.yaml.hbs"))]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let values = TEMPLATES.render("values.yaml", &Values::new(config, context));
    vec![HelmRelease::new(&context.service, CHART, REPOSITORY, CHART_VERSION, &config.namespace, values).into()]
}

/// Everything the chart, the API server or MetalLB would refuse.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    // The release name prefixes every object name, e.g. `<service>-controller-metrics`.
    if !is_dns_label(&context.service) || context.service.len() > 40 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name a Helm release of ingress-nginx", context.service))
                .with_help("name the service with at most 40 lower-case letters, digits and `-`"),
        );
    }
    errors.extend(check_in_cluster(context, "a Helm release runs"));
    if !is_dns_subdomain(&config.class) || config.class.is_empty() {
        errors.push(
            ConfigError::at(&["class"], format!("`{}` cannot name an IngressClass", config.class))
                .with_help("use lower-case letters, digits, `-` and `.`, e.g. `nginx`"),
        );
    }
    if config.replicas < 2 {
        errors.push(
            ConfigError::at(
                &["replicas"],
                format!("{} controller replica cannot survive a node drain", config.replicas),
            )
            .with_help("run at least 2: the PodDisruptionBudget keeps one serving while another moves"),
        );
    }
    if let Some(address) = &config.load_balancer_ip
        && address.parse::<IpAddr>().is_err()
    {
        errors.push(
            ConfigError::at(&["load-balancer-ip"], format!("`{address}` is not an IP address"))
                .with_help("name one address of the MetalLB pool, e.g. `10.20.0.200`"),
        );
    }
    if let Some(resources) = &config.resources {
        errors.extend(kube::check_resources(resources.cpu.as_deref(), resources.memory.as_deref()));
    }
    errors
}

/// Template data for `values.yaml`.
#[derive(Serialize)]
struct Values {
    stack: String,
    release: String,
    chart_version: &'static str,
    class: String,
    default_class: bool,
    replicas: i64,
    load_balancer_ip: Option<String>,
    cpu: Option<String>,
    memory: Option<String>,
    metrics_port: u16,
}

impl Values {
    fn new(config: &Config, context: &RenderContext) -> Self {
        let resources = config.resources.as_ref();
        Values {
            stack: context.stack.clone(),
            release: context.service.clone(),
            chart_version: CHART_VERSION,
            class: config.class.clone(),
            default_class: config.default_class,
            replicas: config.replicas,
            load_balancer_ip: config.load_balancer_ip.clone(),
            cpu: resources.and_then(|r| r.cpu.clone()),
            memory: resources.and_then(|r| r.memory.clone()),
            metrics_port: METRICS_PORT,
        }
    }
}
