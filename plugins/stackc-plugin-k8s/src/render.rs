//! From config to Kubernetes objects: checks first (each problem a [`ConfigError`] at its
//! config path), then one template per object kind.
//!
//! Objects are named after the service and labelled `app.kubernetes.io/name: <service>`
//! (the selector), `app.kubernetes.io/part-of: <stack>` and `app.kubernetes.io/managed-by:
//! stackc`. They come in the order they can be applied in: ServiceAccount, Role and
//! RoleBinding, ConfigMaps, Services, the workload, PodDisruptionBudget, NetworkPolicy,
//! Ingress, HorizontalPodAutoscaler. Containers (the main one and the init containers) are
//! rendered by one template and set into the workload's.

use std::collections::BTreeMap;

use serde::Serialize;
use stackc_plugin_sdk::kube::{
    self, STORAGE_UNITS, check_in_cluster, check_namespace, is_dns_label, is_dns_subdomain, is_port_name, is_quantity,
};
use stackc_plugin_sdk::{Artifact, ConfigError, KubeObject, KubeSecret, RenderContext, Templates};

use crate::checks::init_name;
use crate::config::{AllowFrom, Config, EnvFrom, EnvValue, Kind, ServiceType};

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates = Templates::embedded(&[
    ("serviceaccount", include_str!("../templates/serviceaccount.yaml.hbs")),
    ("role", include_str!("../templates/role.yaml.hbs")),
    ("rolebinding", include_str!("../templates/rolebinding.yaml.hbs")),
    ("configmap", include_str!("../templates/configmap.yaml.hbs")),
    ("configmap-env", include_str!("../templates/configmap-env.yaml.hbs")),
    ("service", include_str!("../templates/service.yaml.hbs")),
    ("service-headless", include_str!("../templates/service-headless.yaml.hbs")),
    ("container", include_str!("../templates/container.yaml.hbs")),
    ("workload", include_str!("../templates/workload.yaml.hbs")),
    ("pdb", include_str!("../templates/pdb.yaml.hbs")),
    ("networkpolicy", include_str!("../templates/networkpolicy.yaml.hbs")),
    ("ingress", include_str!("../templates/ingress.yaml.hbs")),
    ("hpa", include_str!("../templates/hpa.yaml.hbs")),
]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let mut data = Data::new(config, context, environment(config, &context.service));
    let templates = &TEMPLATES;
    data.container = indent(&templates.render("container", &data.container(config)), 8);
    data.init_containers = (0..config.init.len())
        .map(|i| indent(&templates.render("container", &data.init_container(config, i)), 8))
        .collect::<Vec<_>>()
        .join("\n");
    let mut artifacts = Vec::new();
    let mut object = |name: &str, template: &str| {
        artifacts.push(KubeObject::new(name, templates.render(template, &data)).into());
    };
    object("serviceaccount", "serviceaccount");
    if !data.rules.is_empty() {
        object("role", "role");
        object("rolebinding", "rolebinding");
    }
    if !data.files.is_empty() {
        object("configmap", "configmap");
    }
    if data.env_config_map.is_some() {
        object("configmap-env", "configmap-env");
    }
    if !data.ports.is_empty() {
        object("service", "service");
    }
    if data.headless_service.is_some() {
        object("service-headless", "service-headless");
    }
    object(if data.statefulset { "statefulset" } else { "deployment" }, "workload");
    if data.disruption.is_some() {
        object("poddisruptionbudget", "pdb");
    }
    if data.network_policy.is_some() {
        object("networkpolicy", "networkpolicy");
    }
    if data.ingress.is_some() {
        object("ingress", "ingress");
    }
    if data.autoscale.is_some() {
        object("horizontalpodautoscaler", "hpa");
    }
    if !data.secrets.is_empty() {
        let entries = data.secrets.iter().map(|s| (s.clone(), s.clone())).collect();
        artifacts.push(KubeSecret::new(&data.secret_name, &config.namespace, entries).into());
    }
    artifacts
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    errors.extend(check_namespace(&["namespace"], &config.namespace));
    if let Some(resources) = &config.resources {
        errors.extend(kube::check_resources(resources.cpu.as_deref(), resources.memory.as_deref()));
    }
    let mut error = |path: &[&str], message: String, help: &str| {
        let e = ConfigError::at(path, message);
        errors.push(if help.is_empty() { e } else { e.with_help(help) });
    };
    if config.image.is_empty() || config.image.contains(char::is_whitespace) {
        error(
            &["image"],
            format!("`{}` is not a container image", config.image),
            "write e.g. `docker.io/grafana/grafana:12.1.1`",
        );
    }
    if config.replicas < 0 {
        error(&["replicas"], format!("replicas cannot be negative ({})", config.replicas), "");
    }
    for (name, &port) in &config.ports {
        if !is_port_name(name) {
            error(
                &["ports", name],
                format!("`{name}` cannot name a port"),
                "use at most 15 lower-case letters, digits and `-`",
            );
        }
        if !(1..=65535).contains(&port) {
            error(&["ports", name], format!("{port} is not a port number"), "ports go from 1 to 65535");
        }
    }
    if let Some(metrics) = &config.metrics {
        if !metrics.starts_with('/') {
            error(&["metrics"], format!("`{metrics}` is not an HTTP path"), "paths start with `/`");
        }
        if config.ports.is_empty() {
            error(&["metrics"], "metrics need a port to be scraped on".to_owned(), "add `ports { http 8080 }`");
        }
        if config.ports.contains_key("metrics") {
            error(
                &["metrics"],
                "the port named `metrics` already exports the metrics".to_owned(),
                "remove `metrics`, or rename the port",
            );
        }
    }
    if let Some(health) = &config.health {
        if !health.starts_with('/') {
            error(&["health"], format!("`{health}` is not an HTTP path"), "paths start with `/`");
        }
        if config.ports.is_empty() {
            error(&["health"], "a health path needs a port to probe".to_owned(), "add `ports { http 8080 }`");
        }
    }
    for name in config.env.keys() {
        let first = name.bytes().next();
        if first.is_none_or(|b| b.is_ascii_digit())
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        {
            error(
                &["env", name],
                format!("`{name}` cannot name an environment variable"),
                "use letters, digits, `_`, `.` and `-`",
            );
        }
    }
    let mut file_names: BTreeMap<&str, &str> = BTreeMap::new();
    for (dir, files) in &config.files {
        if !dir.starts_with('/') || dir.split('/').skip(1).any(|s| s.is_empty() || s == "." || s == "..") {
            error(&["files", dir], format!("`{dir}` is not an absolute directory"), "write e.g. `/etc/app`");
        }
        for name in files.keys() {
            if name.is_empty()
                || name.len() > 253
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
                || name == "."
                || name == ".."
            {
                error(
                    &["files", dir, name],
                    format!("`{name}` cannot name a file in a ConfigMap"),
                    "use letters, digits, `_`, `.` and `-`",
                );
            } else if let Some(other) = file_names.insert(name, dir) {
                error(
                    &["files", dir, name],
                    format!("`{name}` is also a file in `{other}`"),
                    "file names are ConfigMap keys and must differ across directories",
                );
            }
        }
    }
    for (name, volume) in &config.volume {
        if config.kind != Kind::Statefulset {
            error(
                &["volume", name],
                "persistent volumes need `kind \"statefulset\"`".to_owned(),
                "a StatefulSet gives every pod its own claim",
            );
        }
        if !is_dns_label(name) || name.starts_with("files-") {
            error(
                &["volume", name],
                format!("`{name}` cannot name a volume"),
                "use lower-case letters, digits and `-`",
            );
        }
        if !volume.mount.starts_with('/') {
            error(&["volume", name, "mount"], format!("`{}` is not an absolute path", volume.mount), "");
        }
        if !is_quantity(&volume.size, &STORAGE_UNITS) {
            error(&["volume", name, "size"], format!("`{}` is not a storage size", volume.size), "write e.g. `1Gi`");
        }
        if let Some(class) = &volume.storage_class
            && !is_dns_subdomain(class)
        {
            error(&["volume", name, "storage-class"], format!("`{class}` is not a storage class name"), "");
        }
    }
    if let Some(ingress) = &config.ingress {
        if !is_dns_subdomain(&ingress.host) {
            error(&["ingress", "host"], format!("`{}` is not a host name", ingress.host), "");
        }
        if !ingress.path.starts_with('/') {
            error(&["ingress", "path"], format!("`{}` is not an HTTP path", ingress.path), "paths start with `/`");
        }
        match &ingress.port {
            Some(port) if !config.ports.contains_key(port) => {
                let names: Vec<&str> = config.ports.keys().map(String::as_str).collect();
                error(&["ingress", "port"], format!("no port named `{port}`"), &format!("ports: {}", names.join(", ")));
            }
            None if config.ports.is_empty() => {
                error(&["ingress"], "an Ingress needs a port to route to".to_owned(), "add `ports { http 8080 }`");
            }
            _ => {}
        }
        for (key, value) in [("class", &ingress.class), ("tls", &ingress.tls)] {
            if let Some(value) = value
                && !is_dns_subdomain(value)
            {
                error(&["ingress", key], format!("`{value}` is not a Kubernetes object name"), "");
            }
        }
    }
    if let Some(autoscale) = &config.autoscale {
        if autoscale.min < 1 || autoscale.max < autoscale.min {
            error(
                &["autoscale"],
                format!("cannot scale between {} and {} pods", autoscale.min, autoscale.max),
                "write `min` ≥ 1 and `max` ≥ `min`",
            );
        }
        if !(1..=1000).contains(&autoscale.cpu) {
            error(
                &["autoscale", "cpu"],
                format!("{}% is not a CPU target", autoscale.cpu),
                "write a percentage of the CPU request, e.g. 70",
            );
        }
        if config.resources.as_ref().is_none_or(|r| r.cpu.is_none()) {
            error(
                &["autoscale"],
                "scaling on CPU use needs a CPU request".to_owned(),
                "add `resources { cpu \"250m\" }`",
            );
        }
    }
    for (i, rule) in config.rule.iter().enumerate() {
        let index = i.to_string();
        if rule.resources.is_empty() || rule.verbs.is_empty() {
            error(&["rule", &index], "a rule needs resources and verbs".to_owned(), "");
        }
    }
    if !is_dns_label(&context.service) || context.service.len() > 52 {
        errors.push(
            ConfigError::service(format!("`{}` cannot name Kubernetes objects", context.service))
                .with_help("name the service with at most 52 lower-case letters, digits and `-`"),
        );
    }
    errors.extend(check_in_cluster(context, "Kubernetes objects run"));
    errors.extend(crate::checks::check(config, &context.service));
    for (name, value) in &config.env {
        if let EnvValue::Ref(r) = value
            && r.value.is_none()
            && r.endpoints.is_empty()
        {
            errors.push(
                ConfigError::at(&["env", name], format!("`{}` has no address a pod can use", r.target)).with_help(
                    "reference a fact, a service on hosts, or one whose plugin names its Kubernetes Service",
                ),
            );
        }
    }
    errors
}

/// The container's environment, in name order; secrets become references to the service's
/// Secret, references become the fact's value or the endpoints' URLs (`check` refused
/// references with neither).
fn environment(config: &Config, service: &str) -> Vec<Env> {
    let secret_name = format!("{service}-env");
    config
        .env
        .iter()
        .map(|(name, value)| {
            let (value, secret) = match value {
                EnvValue::Text(text) => (Some(text.clone()), None),
                EnvValue::Number(n) => (Some(n.to_string()), None),
                EnvValue::Bool(b) => (Some(b.to_string()), None),
                EnvValue::Secret(s) => (None, Some(SecretKey { name: secret_name.clone(), key: s.name.clone() })),
                EnvValue::Ref(r) => match &r.value {
                    Some(fact) => (Some(fact.clone()), None),
                    None => (Some(r.endpoints.iter().map(|e| e.url()).collect::<Vec<_>>().join(",")), None),
                },
            };
            Env { name: name.clone(), value: value.map(|v| quote(&v)), secret }
        })
        .collect()
}

/// The SHA-256 of the environment's names and values, in hex.
fn digest(values: &[EnvEntry]) -> String {
    let text: String = values.iter().map(|entry| format!("{}={}\n", entry.name, entry.value)).collect();
    stackc_plugin_sdk::digest::sha256_hex(text.as_bytes())
}

/// `text` with every line indented by `indent` spaces, without its final newline.
fn indent(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    text.lines().map(|line| format!("{pad}{line}")).collect::<Vec<_>>().join("\n")
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    stackc_plugin_sdk::serde_json::to_string(text).expect("strings serialize")
}

/// A ConfigMap value as a block scalar, indented by `indent` spaces, or quoted when a block
/// cannot hold it exactly.
fn block(text: &str, indent: usize) -> String {
    if text.is_empty()
        || text.contains('\r')
        || text.starts_with([' ', '\n'])
        || text.contains(|c: char| c.is_control() && c != '\n' && c != '\t')
    {
        return quote(text);
    }
    let chomp = if text.ends_with("\n\n") {
        "+"
    } else if text.ends_with('\n') {
        ""
    } else {
        "-"
    };
    let pad = " ".repeat(indent);
    let mut out = format!("|{chomp}");
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

#[derive(Serialize)]
struct Label {
    key: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Port {
    name: String,
    port: i64,
}

#[derive(Serialize)]
struct Env {
    name: String,
    value: Option<String>,
    secret: Option<SecretKey>,
}

#[derive(Serialize)]
struct SecretKey {
    name: String,
    key: String,
}

#[derive(Serialize)]
struct FileEntry {
    key: String,
    contents: String,
}

#[derive(Serialize)]
struct Mount {
    volume: String,
    path: String,
    items: Vec<String>,
}

#[derive(Serialize)]
struct Claim {
    name: String,
    path: String,
    size: String,
    storage_class: Option<String>,
}

#[derive(Serialize)]
struct Health {
    path: String,
    port: String,
}

#[derive(Serialize)]
struct Resources {
    cpu: Option<String>,
    memory: Option<String>,
}

#[derive(Serialize)]
struct Ingress {
    host: String,
    path: String,
    port: String,
    class: Option<String>,
    tls_secret: Option<String>,
}

#[derive(Serialize)]
struct Autoscale {
    min: i64,
    max: i64,
    cpu: i64,
}

#[derive(Serialize)]
struct Rule {
    api_groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
}

#[derive(Serialize)]
struct EnvEntry {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct Service {
    kind: &'static str,
    address: Option<String>,
}

#[derive(Serialize)]
struct PodSecurity {
    run_as_non_root: bool,
    run_as_user: Option<String>,
    fs_group: Option<String>,
}

#[derive(Serialize)]
struct Disruption {
    key: &'static str,
    value: i64,
}

#[derive(Serialize)]
struct NetworkPolicy {
    rules: Vec<PolicyRule>,
}

/// Pods that may connect, to one port or (without `port`) to all of them.
#[derive(Serialize)]
struct PolicyRule {
    peers: Vec<Peer>,
    port: Option<String>,
}

/// The pods of a service (`service`), in another namespace (`namespace`), or every pod of
/// a namespace (only `namespace`).
#[derive(Serialize)]
struct Peer {
    service: Option<String>,
    namespace: Option<String>,
}

#[derive(Serialize)]
struct VolumeMount {
    name: String,
    path: String,
    read_only: bool,
}

/// Template data of one container.
#[derive(Serialize)]
struct Container<'a> {
    name: String,
    image: String,
    command: Vec<String>,
    args: Vec<String>,
    ports: &'a [Port],
    env_config_map: Option<&'a str>,
    env: &'a [Env],
    health: Option<&'a Health>,
    resources: Option<&'a Resources>,
    volume_mounts: Vec<VolumeMount>,
    read_only_root: bool,
    drop_capabilities: bool,
}

/// Template data shared by every object of the service.
#[derive(Serialize)]
struct Data {
    name: String,
    namespace: String,
    labels: Vec<Label>,
    kind: &'static str,
    statefulset: bool,
    replicas: i64,
    image: String,
    args: Vec<String>,
    ports: Vec<Port>,
    health: Option<Health>,
    env: Vec<Env>,
    /// The ConfigMap the containers read the non-secret environment from (`env-from`).
    env_config_map: Option<String>,
    env_values: Vec<EnvEntry>,
    /// Changes the pod template when the ConfigMap of the environment changes, so that the
    /// pods restart with it: they read `envFrom` only when they start.
    env_digest: Option<String>,
    secret_name: String,
    secrets: Vec<String>,
    config_map: String,
    files: Vec<FileEntry>,
    mounts: Vec<Mount>,
    claims: Vec<Claim>,
    resources: Option<Resources>,
    ingress: Option<Ingress>,
    autoscale: Option<Autoscale>,
    rules: Vec<Rule>,
    service: Service,
    headless_service: Option<String>,
    pod_security: PodSecurity,
    disruption: Option<Disruption>,
    network_policy: Option<NetworkPolicy>,
    image_pull_secrets: Vec<String>,
    /// The rendered containers, indented for the workload's template.
    container: String,
    init_containers: String,
}

impl Data {
    fn new(config: &Config, context: &RenderContext, env: Vec<Env>) -> Self {
        let name = context.service.clone();
        let (env, env_values, env_config_map) = match config.env_from {
            EnvFrom::Inline => (env, Vec::new(), None),
            EnvFrom::ConfigMap => {
                let (secrets, values): (Vec<Env>, Vec<Env>) = env.into_iter().partition(|e| e.secret.is_some());
                let values: Vec<EnvEntry> =
                    values.into_iter().filter_map(|e| Some(EnvEntry { value: e.value?, name: e.name })).collect();
                let map = (!values.is_empty()).then(|| format!("{name}-env"));
                (secrets, values, map)
            }
        };
        let first_port = config.ports.keys().next().cloned().unwrap_or_default();
        let mut secrets: Vec<String> = env.iter().filter_map(|e| e.secret.as_ref().map(|s| s.key.clone())).collect();
        secrets.sort();
        secrets.dedup();
        let config_map = format!("{name}-files");
        let mounts = config
            .files
            .iter()
            .enumerate()
            .map(|(i, (dir, files))| Mount {
                volume: format!("files-{i}"),
                path: quote(dir),
                items: files.keys().cloned().collect(),
            })
            .collect();
        Data {
            labels: vec![
                Label { key: "app.kubernetes.io/name", value: quote(&name) },
                Label { key: "app.kubernetes.io/part-of", value: quote(&context.stack) },
                Label { key: "app.kubernetes.io/managed-by", value: quote("stackc") },
            ],
            namespace: config.namespace.clone(),
            kind: match config.kind {
                Kind::Deployment => "Deployment",
                Kind::Statefulset => "StatefulSet",
            },
            statefulset: config.kind == Kind::Statefulset,
            replicas: config.autoscale.as_ref().map_or(config.replicas, |a| a.min),
            image: quote(&config.image),
            args: config.args.iter().map(|a| quote(a)).collect(),
            ports: config.ports.iter().map(|(n, &p)| Port { name: n.clone(), port: p }).collect(),
            health: config.health.as_ref().map(|path| Health { path: quote(path), port: first_port.clone() }),
            env,
            env_digest: env_config_map.is_some().then(|| digest(&env_values)),
            env_config_map,
            env_values,
            secret_name: format!("{name}-env"),
            secrets,
            files: config
                .files
                .values()
                .flat_map(|files| {
                    files.iter().map(|(key, contents)| FileEntry { key: key.clone(), contents: block(contents, 4) })
                })
                .collect(),
            config_map,
            mounts,
            claims: config
                .volume
                .iter()
                .map(|(n, v)| Claim {
                    name: n.clone(),
                    path: quote(&v.mount),
                    size: quote(&v.size),
                    storage_class: v.storage_class.clone(),
                })
                .collect(),
            resources: config
                .resources
                .as_ref()
                .map(|r| Resources { cpu: r.cpu.as_deref().map(quote), memory: r.memory.as_deref().map(quote) }),
            ingress: config.ingress.as_ref().map(|i| Ingress {
                host: quote(&i.host),
                path: quote(&i.path),
                port: i.port.clone().unwrap_or_else(|| first_port.clone()),
                class: i.class.clone(),
                tls_secret: i.tls.clone(),
            }),
            autoscale: config.autoscale.as_ref().map(|a| Autoscale { min: a.min, max: a.max, cpu: a.cpu }),
            rules: config
                .rule
                .iter()
                .map(|r| Rule {
                    api_groups: r.api_groups.iter().map(|s| quote(s)).collect(),
                    resources: r.resources.iter().map(|s| quote(s)).collect(),
                    verbs: r.verbs.iter().map(|s| quote(s)).collect(),
                })
                .collect(),
            service: Service {
                kind: match config.service.as_ref().map(|s| s.kind) {
                    Some(ServiceType::LoadBalancer) => "LoadBalancer",
                    _ => "ClusterIP",
                },
                address: config.service.as_ref().and_then(|s| s.address.as_deref()).map(quote),
            },
            headless_service: (config.kind == Kind::Statefulset).then(|| format!("{name}-headless")),
            pod_security: PodSecurity {
                run_as_non_root: !config.security.run_as_root,
                run_as_user: config.security.run_as_user.map(|id| id.to_string()),
                fs_group: config.security.fs_group.map(|id| id.to_string()),
            },
            disruption: config.disruption.as_ref().and_then(|d| match (d.min_available, d.max_unavailable) {
                (Some(value), _) => Some(Disruption { key: "minAvailable", value }),
                (None, Some(value)) => Some(Disruption { key: "maxUnavailable", value }),
                (None, None) => None,
            }),
            network_policy: network_policy(config),
            image_pull_secrets: config.image_pull_secrets.clone(),
            container: String::new(),
            init_containers: String::new(),
            name,
        }
    }

    fn container<'a>(&'a self, config: &Config) -> Container<'a> {
        Container {
            name: self.name.clone(),
            image: self.image.clone(),
            command: config.command.iter().map(|c| quote(c)).collect(),
            args: self.args.clone(),
            ports: &self.ports,
            env_config_map: self.env_config_map.as_deref(),
            env: &self.env,
            health: self.health.as_ref(),
            resources: self.resources.as_ref(),
            volume_mounts: self.volume_mounts(),
            read_only_root: config.security.read_only_root,
            drop_capabilities: !config.security.run_as_root,
        }
    }

    /// An init container: its own image and command, the main container's environment,
    /// files, volumes, resources and security context.
    fn init_container<'a>(&'a self, config: &'a Config, index: usize) -> Container<'a> {
        let init = &config.init[index];
        Container {
            name: init_name(init.name.as_deref(), index),
            image: init.image.as_deref().map_or_else(|| self.image.clone(), quote),
            command: init.command.iter().map(|c| quote(c)).collect(),
            args: init.args.iter().map(|a| quote(a)).collect(),
            ports: &[],
            health: None,
            ..self.container(config)
        }
    }

    /// Config files (read-only) and then persistent volumes.
    fn volume_mounts(&self) -> Vec<VolumeMount> {
        let files =
            self.mounts.iter().map(|m| VolumeMount { name: m.volume.clone(), path: m.path.clone(), read_only: true });
        let claims =
            self.claims.iter().map(|c| VolumeMount { name: c.name.clone(), path: c.path.clone(), read_only: false });
        files.chain(claims).collect()
    }
}

/// The NetworkPolicy's rules: the named services' pods to every port, the ingress
/// controller's namespace to the Ingress's port.
fn network_policy(config: &Config) -> Option<NetworkPolicy> {
    let policy = config.network_policy.as_ref()?.rules()?;
    let mut rules = Vec::new();
    let peers: Vec<Peer> = policy
        .allow_from
        .iter()
        .filter_map(|from| match from {
            AllowFrom::Name(name) => Some(Peer { service: Some(name.clone()), namespace: None }),
            AllowFrom::Ref(r) => {
                let namespace = &r.endpoints.iter().find_map(|e| e.in_cluster.as_ref())?.namespace;
                Some(Peer {
                    service: Some(r.service.clone()),
                    namespace: (*namespace != config.namespace).then(|| namespace.clone()),
                })
            }
        })
        .collect();
    if !peers.is_empty() {
        rules.push(PolicyRule { peers, port: None });
    }
    if let Some(ingress) = &config.ingress {
        let port = ingress.port.clone().or_else(|| config.ports.keys().next().cloned());
        rules.push(PolicyRule {
            peers: vec![Peer { service: None, namespace: Some(policy.ingress_namespace.clone()) }],
            port,
        });
    }
    Some(NetworkPolicy { rules })
}
