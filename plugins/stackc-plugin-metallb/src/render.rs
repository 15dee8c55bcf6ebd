//! From config to the metallb chart's release and the two MetalLB objects that make it hand
//! out addresses: checks first (each problem a [`ConfigError`] at its config path), then the
//! values file and the objects from templates.

use serde::Serialize;
use stackc_plugin_sdk::kube::{check_in_cluster, check_namespace, is_dns_label, is_dns_subdomain};
use stackc_plugin_sdk::{Artifact, ConfigError, HelmRelease, KubeObject, RenderContext, Templates, serde_json};

use crate::addresses;
use crate::config::Config;

/// The chart, its repository and the version the values are written for.
pub const CHART: &str = "metallb";
pub const REPOSITORY: &str = "https://metallb.github.io/metallb";
pub const CHART_VERSION: &str = "0.16.1";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("values.yaml", include_str!("../templates/values.yaml.hbs")),
    ("ipaddresspool.yaml", include_str!("../templates/ipaddresspool.yaml.hbs")),
    ("l2advertisement.yaml", include_str!("../templates/l2advertisement.yaml.hbs")),
]);

/// The release, then the objects of the kinds its CRDs define: the deployment applies a
/// service's objects after installing its releases, and waits for the release (the webhook
/// that checks pools included) to be ready first.
pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let data = Data::new(config, context);
    let values = TEMPLATES.render("values.yaml", &data);
    vec![
        HelmRelease::new(&context.service, CHART, REPOSITORY, CHART_VERSION, &config.namespace, values).into(),
        KubeObject::new("ipaddresspool", TEMPLATES.render("ipaddresspool.yaml", &data)).into(),
        KubeObject::new("l2advertisement", TEMPLATES.render("l2advertisement.yaml", &data)).into(),
    ]
}

/// Everything the chart or MetalLB's webhook would refuse.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    // The release name prefixes the controller's and the speaker's object names.
    if !is_dns_label(&context.service) || context.service.len() > 40 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name a Helm release of MetalLB", context.service))
                .with_help("name the service with at most 40 lower-case letters, digits and `-`"),
        );
    }
    errors.extend(check_in_cluster(context, "a Helm release runs"));
    if !is_dns_subdomain(&config.pool) || config.pool.is_empty() {
        errors.push(
            ConfigError::at(&["pool"], format!("`{}` cannot name an IPAddressPool", config.pool))
                .with_help("use lower-case letters, digits, `-` and `.`"),
        );
    }
    if config.addresses.is_empty() {
        errors.push(
            ConfigError::at(&["addresses"], "the pool has no addresses")
                .with_help("add a range such as `10.20.0.200-10.20.0.220` or a prefix such as `10.20.1.0/28`"),
        );
    }
    let mut ranges: Vec<(usize, addresses::Range)> = Vec::new();
    for (index, text) in config.addresses.iter().enumerate() {
        let at = index.to_string();
        match addresses::parse(text) {
            Ok(range) => {
                if let Some((earlier, _)) = ranges.iter().find(|(_, r)| r.overlaps(&range)) {
                    errors.push(
                        ConfigError::at(
                            &["addresses", &at],
                            format!("`{text}` overlaps `{}`", config.addresses[*earlier]),
                        )
                        .with_help("MetalLB refuses a pool whose ranges overlap"),
                    );
                }
                ranges.push((index, range));
            }
            Err(message) => errors.push(
                ConfigError::at(&["addresses", &at], message)
                    .with_help("write `first-last` (`10.20.0.200-10.20.0.220`) or a CIDR prefix (`10.20.1.0/28`)"),
            ),
        }
    }
    errors
}

/// Template data for the values and both objects.
#[derive(Serialize)]
struct Data {
    stack: String,
    release: String,
    chart_version: &'static str,
    namespace: String,
    pool: String,
    /// Quoted for YAML (JSON strings are YAML double-quoted scalars).
    addresses: Vec<String>,
    auto_assign: bool,
}

impl Data {
    fn new(config: &Config, context: &RenderContext) -> Self {
        Data {
            stack: context.stack.clone(),
            release: context.service.clone(),
            chart_version: CHART_VERSION,
            namespace: config.namespace.clone(),
            pool: config.pool.clone(),
            addresses: config
                .addresses
                .iter()
                .map(|a| serde_json::to_string(a.trim()).expect("strings serialize"))
                .collect(),
            auto_assign: config.auto_assign,
        }
    }
}
