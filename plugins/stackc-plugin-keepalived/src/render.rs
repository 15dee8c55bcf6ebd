//! From config to `/etc/keepalived/keepalived.conf`, one per host: the first host is the
//! master, and with unicast each host names the others as peers.

use std::net::IpAddr;

use serde::Serialize;
use stackc_plugin_sdk::{Artifact, CommandCheck, ConfigError, HostFile, RenderContext, Templates};

use crate::config::Config;

const CONFIG_FILE: &str = "/etc/keepalived/keepalived.conf";
/// Priority difference between consecutive hosts.
const PRIORITY_STEP: u32 = 10;

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("keepalived.conf", include_str!("../templates/keepalived.conf.hbs"))]);

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let mut artifacts = vec![Artifact::package("keepalived")];
    for (i, host) in context.hosts.iter().enumerate() {
        let file = KeepalivedConf::new(config, context, i);
        artifacts
            .push(HostFile::new(CONFIG_FILE, TEMPLATES.render("keepalived.conf", &file)).on_host(&host.name).into());
    }
    let running = vec!["/bin/pidof".to_owned(), "keepalived".to_owned()];
    artifacts.push(CommandCheck::new(format!("keepalived of {} is running", context.service), running).into());
    // A reload (SIGHUP) keeps the current master's addresses; a restart would move them.
    artifacts.push(Artifact::reloaded_service("keepalived"));
    artifacts
}

/// Everything that would make keepalived refuse the file, or make it mean something else.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if !(1..=255).contains(&config.virtual_router_id) {
        errors.push(
            ConfigError::at(&["virtual-router-id"], format!("{} is not a VRRP router id", config.virtual_router_id))
                .with_help("use 1–255, unique among the VRRP instances of the network"),
        );
    }
    if config.virtual_ip.is_empty() {
        errors.push(ConfigError::at(&["virtual-ip"], "name at least one virtual IP"));
    }
    let mut family = None;
    for (i, vip) in config.virtual_ip.iter().enumerate() {
        let path = ["virtual-ip", &i.to_string()];
        match parse_vip(vip) {
            None => errors.push(
                ConfigError::at(&path, format!("`{vip}` is not an IP address with an optional prefix length"))
                    .with_help("write e.g. `10.30.0.100/24`"),
            ),
            Some(ip) if *family.get_or_insert(ip.is_ipv4()) != ip.is_ipv4() => errors.push(
                ConfigError::at(&path, format!("`{vip}` mixes IPv4 and IPv6 in one VRRP instance"))
                    .with_help("use one address family per keepalived service"),
            ),
            Some(_) => {}
        }
    }
    let interface = &config.interface;
    if interface.is_empty()
        || interface.len() > 15
        || !interface.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:@".contains(c))
    {
        errors.push(ConfigError::at(&["interface"], format!("`{interface}` is not a network interface name")));
    }
    check_advert_interval(&mut errors, &config.advert_interval);
    let process = &config.check.process;
    if process.is_empty() || !process.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        errors.push(ConfigError::at(&["check", "process"], format!("`{process}` is not a process name")));
    }
    for (key, value) in [("interval", config.check.interval), ("fall", config.check.fall), ("rise", config.check.rise)]
    {
        if value == 0 {
            errors.push(ConfigError::at(&["check", key], format!("`{key}` must be at least 1")));
        }
    }
    if context.hosts.len() < 2 {
        errors.push(
            ConfigError::service("a virtual IP needs two or more hosts to move between")
                .with_help("place it with `on=\"group\"` on the load balancers"),
        );
    } else {
        let lowest = PRIORITY_STEP * (context.hosts.len() as u32 - 1) + 1;
        if !(lowest..=254).contains(&config.priority) {
            errors.push(
                ConfigError::at(&["priority"], format!("priority {} does not fit the hosts", config.priority))
                    .with_help(format!(
                        "with {} hosts the first one's priority is {lowest}–254 (each next host's is {PRIORITY_STEP} lower)",
                        context.hosts.len()
                    )),
            );
        }
    }
    if config.unicast {
        for host in &context.hosts {
            if host.address.parse::<IpAddr>().is_err() {
                errors.push(
                    ConfigError::at(&["unicast"], format!("host `{}` has no IP address for unicast VRRP", host.name))
                        .with_help("give the host an IP address, or use multicast: `unicast #false`"),
                );
            }
        }
    }
    errors
}

/// `10.30.0.100` or `10.30.0.100/24`: the address, if the text is one.
fn parse_vip(text: &str) -> Option<IpAddr> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let ip: IpAddr = address.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix {
        Some(p) if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u32>().ok()? > max => None,
        _ => Some(ip),
    }
}

/// Milliseconds of `500ms`, `1s`, `2s`: a multiple of 10 ms from 10 ms to 40.95 s.
fn advert_millis(value: &str) -> Option<u32> {
    let (digits, factor) = if let Some(ms) = value.strip_suffix("ms") {
        (ms, 1)
    } else if let Some(s) = value.strip_suffix('s') {
        (s, 1000)
    } else {
        return None;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis = digits.parse::<u32>().ok()?.checked_mul(factor)?;
    (millis % 10 == 0 && (10..=40_950).contains(&millis)).then_some(millis)
}

fn check_advert_interval(errors: &mut Vec<ConfigError>, value: &str) {
    if advert_millis(value).is_none() {
        errors.push(
            ConfigError::at(&["advert-interval"], format!("`{value}` is not a VRRP advert interval"))
                .with_help("write `1s`, `500ms`, …: a multiple of 10 ms from 10ms to 40950ms"),
        );
    }
}

/// Template data for one host's `keepalived.conf`.
#[derive(Serialize)]
struct KeepalivedConf {
    service: String,
    host: String,
    instance: String,
    script: String,
    process: String,
    interval: u32,
    fall: u32,
    rise: u32,
    state: &'static str,
    interface: String,
    router_id: u32,
    priority: u32,
    advert: String,
    unicast: Option<Unicast>,
    virtual_ips: Vec<String>,
}

#[derive(Serialize)]
struct Unicast {
    source: String,
    peers: Vec<String>,
}

impl KeepalivedConf {
    /// The file of the `index`th host.
    fn new(config: &Config, context: &RenderContext, index: usize) -> Self {
        let host = &context.hosts[index];
        let name = context.service.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let millis = advert_millis(&config.advert_interval).expect("checked");
        let unicast = config.unicast.then(|| Unicast {
            source: host.address.clone(),
            peers: context.hosts.iter().filter(|h| h.name != host.name).map(|h| h.address.clone()).collect(),
        });
        KeepalivedConf {
            service: context.service.clone(),
            host: host.name.clone(),
            instance: name.clone(),
            script: format!("check_{}", config.check.process.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
            process: config.check.process.clone(),
            interval: config.check.interval,
            fall: config.check.fall,
            rise: config.check.rise,
            state: if index == 0 { "MASTER" } else { "BACKUP" },
            interface: config.interface.clone(),
            router_id: config.virtual_router_id,
            priority: config.priority - PRIORITY_STEP * index as u32,
            advert: format!("{}.{:02}", millis / 1000, millis % 1000 / 10),
            unicast,
            virtual_ips: config.virtual_ip.clone(),
        }
    }
}
