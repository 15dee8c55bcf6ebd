//! From config to the probe's program, its config file and the supervised process.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, CommandCheck, ConfigError, HostFile, PlacedEndpoint, Process, Ref, RenderContext, Supervisor,
};

use crate::config::{Config, SupervisorChoice};

const PROGRAM: &str = "/usr/local/lib/stackc-probe/probe.py";
const STATE_DIR: &str = "/var/lib/stackc-probe";
const USER: &str = "stackc-probe";
/// Exits 0 when the file named first grows within the seconds named second.
const CHECK_GROWING: &str = "/usr/local/lib/stackc-probe/check-growing.py";

/// The probe's config file.
#[derive(Serialize)]
struct ProbeConfig<'a> {
    interval: u32,
    timeout: u32,
    query: &'a str,
    output: &'a str,
    prometheus: Vec<String>,
    status: Vec<String>,
}

/// Where records are appended.
fn output(config: &Config, context: &RenderContext) -> String {
    config.output.clone().unwrap_or_else(|| format!("{STATE_DIR}/{}.jsonl", context.service))
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if config.interval == 0 {
        errors.push(ConfigError::at(&["interval"], "the interval must be at least 1 second"));
    }
    if config.timeout == 0 {
        errors.push(ConfigError::at(&["timeout"], "the timeout must be at least 1 second"));
    }
    if config.prometheus.is_empty() && config.status.is_empty() {
        errors.push(
            ConfigError::service("the probe has nothing to probe")
                .with_help("add `prometheus (ref)\"prometheus.http\"` or `status (ref)\"site.status\"`"),
        );
    }
    if !(4096..=16_777_215).contains(&config.log_max_bytes) {
        errors.push(ConfigError::at(&["log-max-bytes"], "multilog rotates at 4096 to 16777215 bytes"));
    }
    if config.log_files < 2 {
        errors.push(ConfigError::at(&["log-files"], "multilog keeps at least 2 files"));
    }
    for (key, refs) in [("prometheus", &config.prometheus), ("status", &config.status)] {
        for r in refs {
            if r.endpoints.iter().any(|e| e.protocol != "http" && e.protocol != "https") {
                errors.push(ConfigError::at(&[key], format!("`{}` is not an HTTP endpoint", r.target)));
            }
        }
    }
    let output = output(config, context);
    if !output.starts_with('/') {
        errors.push(ConfigError::at(&["output"], format!("`{output}` is not an absolute path")));
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let service = &context.service;
    let output = output(config, context);
    let urls = |refs: &[Ref]| -> Vec<String> {
        refs.iter().flat_map(|r| r.endpoints.iter().map(PlacedEndpoint::url)).collect()
    };
    let probe = ProbeConfig {
        interval: config.interval,
        timeout: config.timeout,
        query: &config.query,
        output: &output,
        prometheus: urls(&config.prometheus),
        status: urls(&config.status),
    };
    let mut json = stackc_plugin_sdk::serde_json::to_string_pretty(&probe).expect("serializable");
    json.push('\n');
    let config_path = format!("/etc/stackc-probe/{service}.json");
    let command = vec!["/usr/bin/python3".to_owned(), PROGRAM.to_owned(), "--config".to_owned(), config_path.clone()];
    let supervisor = match config.supervisor {
        SupervisorChoice::Daemontools => Supervisor::Daemontools,
        SupervisorChoice::Systemd => Supervisor::Systemd,
    };
    // The output file grows within two rounds.
    let growing = vec![
        "/usr/bin/python3".to_owned(),
        CHECK_GROWING.to_owned(),
        output.clone(),
        (2 * (config.interval + config.timeout) + 1).to_string(),
    ];
    vec![
        Artifact::package("python3"),
        HostFile::new(PROGRAM, include_str!("../files/probe.py")).with_mode(0o755).into(),
        HostFile::new(CHECK_GROWING, include_str!("../files/check-growing.py")).with_mode(0o755).into(),
        Artifact::host_file(&config_path, json),
        Process::new(format!("stackc-probe-{service}"), command, USER)
            .in_directory(STATE_DIR)
            .with_env("PYTHONUNBUFFERED", "1")
            .supervised_by(supervisor)
            .with_log_rotation(config.log_files, config.log_max_bytes)
            .into(),
        CommandCheck::new(format!("{service} is appending records"), growing).into(),
    ]
}
