//! The `probe` plugin: a small Python program (standard library only) that every few seconds
//! reads `node_load1` of every host from Prometheus's HTTP API and requests nginx
//! `stub_status` pages, appending JSON Lines records (load per instance; the status request
//! and response with headers) to a file. Its endpoints come from references, written into its
//! config file; it runs supervised (daemontools with multilog rotation by default).

use stackc_plugin_sdk::schemars::JsonSchema;
use stackc_plugin_sdk::serde::{Deserialize, Serialize};
use stackc_plugin_sdk::{
    Artifact, ConfigError, Plugin, Process, Ref, RenderContext, Supervisor, one_or_many, register_plugin,
};

pub const PROGRAM: &str = "/usr/local/lib/stackc-probe/probe.py";
pub const STATE_DIR: &str = "/var/lib/stackc-probe";
const USER: &str = "stackc-probe";
/// Exits 0 when the file named first grows within the seconds named second.
pub const CHECK_GROWING: &str = "/usr/local/lib/stackc-probe/check-growing.py";

/// ```kdl
/// service "probe" plugin="probe" on="mon1" {
///     interval 5
///     prometheus (ref)"prometheus.http"
///     status (ref)"site.status"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub struct Config {
    /// Seconds between rounds.
    #[serde(default = "default_interval")]
    pub interval: u32,
    /// Prometheus servers to query (their `http` export).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<Ref>")]
    pub prometheus: Vec<Ref>,
    /// nginx `stub_status` pages to request (an nginx service's `status` export).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(with = "Vec<Ref>")]
    pub status: Vec<Ref>,
    /// The PromQL query whose result is recorded per instance.
    #[serde(default = "default_query")]
    pub query: String,
    /// Where records are appended; `/var/lib/stackc-probe/<service>.jsonl` by default.
    pub output: Option<String>,
    /// Seconds to wait for each request.
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    /// `daemontools` (default) or `systemd`.
    #[serde(default)]
    pub supervisor: SupervisorChoice,
    /// Log files multilog keeps, the current one included.
    #[serde(default = "default_log_files")]
    pub log_files: u32,
    /// Size at which multilog rotates the log.
    #[serde(default = "default_log_max_bytes")]
    pub log_max_bytes: u32,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(crate = "stackc_plugin_sdk::serde", rename_all = "kebab-case")]
#[schemars(crate = "stackc_plugin_sdk::schemars")]
pub enum SupervisorChoice {
    #[default]
    Daemontools,
    Systemd,
}

fn default_interval() -> u32 {
    5
}
fn default_query() -> String {
    "node_load1".to_owned()
}
fn default_timeout() -> u32 {
    3
}
fn default_log_files() -> u32 {
    10
}
fn default_log_max_bytes() -> u32 {
    1_000_000
}

/// The probe's config file.
#[derive(Serialize)]
#[serde(crate = "stackc_plugin_sdk::serde")]
struct ProbeConfig<'a> {
    interval: u32,
    timeout: u32,
    query: &'a str,
    output: &'a str,
    prometheus: Vec<String>,
    status: Vec<String>,
}

pub struct Probe;

impl Plugin for Probe {
    type Config = Config;

    const NAME: &'static str = "probe";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "records load from Prometheus and nginx stub_status as JSON Lines";

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
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
        let service = &context.service;
        let output = config.output.clone().unwrap_or_else(|| format!("{STATE_DIR}/{service}.jsonl"));
        if !output.starts_with('/') {
            errors.push(ConfigError::at(&["output"], format!("`{output}` is not an absolute path")));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let urls = |refs: &[Ref]| -> Vec<String> {
            refs.iter().flat_map(|r| r.endpoints.iter().map(stackc_plugin_sdk::PlacedEndpoint::url)).collect()
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
        Ok(vec![
            Artifact::package("python3"),
            Artifact::host_file_mode(PROGRAM, include_str!("../files/probe.py"), 0o755),
            Artifact::host_file_mode(CHECK_GROWING, include_str!("../files/check-growing.py"), 0o755),
            Artifact::host_file(&config_path, json),
            Artifact::Process(Process {
                name: format!("stackc-probe-{service}"),
                command: vec!["/usr/bin/python3".to_owned(), PROGRAM.to_owned(), "--config".to_owned(), config_path],
                user: USER.to_owned(),
                working_directory: STATE_DIR.to_owned(),
                environment: vec![("PYTHONUNBUFFERED".to_owned(), "1".to_owned())],
                supervisor: match config.supervisor {
                    SupervisorChoice::Daemontools => Supervisor::Daemontools,
                    SupervisorChoice::Systemd => Supervisor::Systemd,
                },
                log_files: config.log_files,
                log_max_bytes: config.log_max_bytes,
            }),
            // The output file grows within two rounds.
            Artifact::CommandCheck(stackc_plugin_sdk::CommandCheck {
                name: format!("{service} is appending records"),
                command: vec![
                    "/usr/bin/python3".to_owned(),
                    CHECK_GROWING.to_owned(),
                    output.clone(),
                    (2 * (config.interval + config.timeout) + 1).to_string(),
                ],
            }),
        ])
    }
}

register_plugin!(Probe);

#[cfg(test)]
mod tests {
    use stackc_plugin_sdk::serde_json::json;
    use stackc_plugin_sdk::{EndpointRole, testing};

    use super::*;

    #[test]
    fn endpoints_come_from_references() {
        let prometheus = testing::endpoint("prometheus", "mon1", "10.0.0.3", "http", 9090, EndpointRole::Service);
        let mut status = testing::endpoint("site", "web1", "10.0.0.1", "status", 80, EndpointRole::Status);
        status.path = "/nginx_status".to_owned();
        let config = json!({
            "prometheus": testing::reference("prometheus.http", &[prometheus]),
            "status": testing::reference("site.status", &[status]),
        });
        let artifacts = testing::render::<Probe>(&config, &testing::context("probe", &[("mon1", "10.0.0.3")])).unwrap();
        let file = testing::host_file(&artifacts, "mon1", "/etc/stackc-probe/probe.json");
        assert!(file.contains("\"http://10.0.0.3:9090/\""), "{file}");
        assert!(file.contains("\"http://10.0.0.1:80/nginx_status\""), "{file}");
        assert!(artifacts.iter().any(|a| matches!(a, Artifact::Process(p) if p.supervisor == Supervisor::Daemontools)));
    }

    #[test]
    fn nothing_to_probe_is_an_error() {
        let errors =
            testing::render::<Probe>(&json!({}), &testing::context("probe", &[("mon1", "10.0.0.3")])).unwrap_err();
        assert!(errors[0].message.contains("nothing to probe"));
    }
}
