//! The monitoring of `stacks/bookworm-lab.kdl` (its `bookworm-lab/monitoring.kdl`) checked by
//! the real tools: promtool on the Prometheus config and rules, promtool's unit tests shipped
//! in the bundle (an alert fires on synthetic series), amtool on the Alertmanager config, the
//! Grafana dashboard against a JSON Schema with every PromQL expression parsed by promtool,
//! and at runtime Prometheus scraping two node exporters on loopback addresses.
//!
//! The Grafana server itself is not available here (no Debian package): the dashboard is
//! checked against the JSON Schema generated from `@grafana/schema`'s `Dashboard` type (see
//! scripts/setup.sh) and against our own small schema of what the provisioned dashboard must
//! have (a uid, panels with Prometheus targets on the provisioned datasource).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{Children, build_stack, render, run, spawn, tool};

const STACK: &str = "stacks/bookworm-lab.kdl";
const WEB1: &str = "127.0.2.1";
const MON1: &str = "127.0.2.3";

/// `--set` overrides that put every host of the lab on a loopback address, and make Prometheus
/// scrape every second.
fn loopback_overrides() -> Vec<String> {
    let hosts = [("web1", WEB1), ("proxy1", "127.0.2.2"), ("mon1", MON1)];
    let mut args: Vec<String> =
        hosts.iter().flat_map(|(h, a)| ["--set".to_owned(), format!("{h}_address={a}")]).collect();
    // The etcd members at 127.0.2.21 … 127.0.2.25.
    args.extend(["--set", "etcd_subnet=127.0.2", "--set", "scrape_interval=1s"].map(str::to_owned));
    args
}

fn ok(output: &Output, what: &str) -> String {
    let text = render(output, &[]);
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

/// The bundle of the lab, and a copy of mon1's `/etc/prometheus` whose absolute paths point
/// into the copy.
struct Lab {
    dir: tempfile::TempDir,
    bundle: PathBuf,
}

impl Lab {
    fn build(extra: &[String]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let bundle = build_stack(STACK, &dir.path().join("out"), &extra);
        Lab { dir, bundle }
    }

    fn host_file(&self, host: &str, path: &str) -> PathBuf {
        self.bundle.join("hosts").join(host).join(path.trim_start_matches('/'))
    }

    /// mon1's `/etc/prometheus` copied to `<tmp>/etc/prometheus`, with the config's paths moved.
    fn prometheus_root(&self) -> PathBuf {
        let root = self.dir.path().join("root");
        let etc = root.join("etc/prometheus");
        fs::create_dir_all(etc.join("rules")).expect("mkdir");
        let rules = self.host_file("mon1", "/etc/prometheus/rules");
        for entry in fs::read_dir(&rules).expect("rules directory") {
            let entry = entry.expect("entry");
            fs::copy(entry.path(), etc.join("rules").join(entry.file_name())).expect("copy rules");
        }
        let config = fs::read_to_string(self.host_file("mon1", "/etc/prometheus/prometheus.yml")).expect("config");
        assert!(config.contains("\"/etc/prometheus/rules/*.yml\""), "{config}");
        let moved = config.replace("/etc/prometheus", &etc.display().to_string());
        fs::write(etc.join("prometheus.yml"), moved).expect("write config");
        etc
    }
}

/// `ARGS="…"` of an `/etc/default` file, split into words.
fn default_args(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text.lines().find_map(|l| l.strip_prefix("ARGS=")).unwrap_or_else(|| panic!("no ARGS in:\n{text}"));
    line.trim_matches('"').split_whitespace().map(str::to_owned).collect()
}

#[test]
fn promtool_accepts_the_prometheus_config_and_rules() {
    let lab = Lab::build(&[]);
    let etc = lab.prometheus_root();
    let output = run(Command::new(tool("promtool")).arg("check").arg("config").arg(etc.join("prometheus.yml")));
    let text = ok(&output, "promtool check config");
    assert!(text.contains("SUCCESS: 1 rule files found") && text.contains("SUCCESS: 2 rules found"), "{text}");

    let output = run(Command::new(tool("promtool")).args(["check", "rules"]).arg(etc.join("rules/prometheus.yml")));
    let text = ok(&output, "promtool check rules");
    assert!(text.contains("SUCCESS: 2 rules found"), "{text}");

    // Scrape jobs are derived from the stack: one node-exporter target per lab host.
    let config = fs::read_to_string(etc.join("prometheus.yml")).expect("config");
    for address in ["10.30.0.11", "10.30.0.12", "10.30.0.13", "10.30.0.21", "10.30.0.25"] {
        assert!(config.contains(&format!("\"{address}:9100\"")), "no node target {address}:\n{config}");
    }
    assert!(config.contains("\"10.30.0.13:9093\""), "alerts go to the alertmanager:\n{config}");
    let defaults = default_args(&lab.host_file("mon1", "/etc/default/prometheus"));
    assert_eq!(defaults, ["--web.listen-address=10.30.0.13:9090", "--storage.tsdb.retention.time=15d"]);
}

#[test]
fn the_shipped_rule_unit_tests_pass_and_alerts_fire() {
    let lab = Lab::build(&[]);
    let tests = lab.bundle.join("services/prometheus");
    let output = run(Command::new(tool("promtool")).args(["test", "rules", "rules_test.yml"]).current_dir(&tests));
    let text = ok(&output, "promtool test rules");
    assert!(text.contains("SUCCESS"), "{text}");
    let shipped = fs::read_to_string(tests.join("rules_test.yml")).expect("test file");
    assert!(shipped.contains("alertname: InstanceDown") && shipped.contains("alertname: HighLoad"), "{shipped}");

    // The alerts really fire: a test expecting silence on the same series fails, naming them.
    let rules = lab.host_file("mon1", "/etc/prometheus/rules/prometheus.yml");
    let quiet = format!(
        "rule_files:\n  - \"{}\"\nevaluation_interval: 15s\ntests:\n  - interval: 15s\n    input_series:\n      \
         - series: 'up{{job=\"node\", instance=\"sick:9100\"}}'\n        values: '1 0x20'\n      \
         - series: 'node_load1{{job=\"node\", instance=\"busy:9100\"}}'\n        values: '9x40'\n      \
         - series: 'node_cpu_seconds_total{{job=\"node\", instance=\"busy:9100\", cpu=\"0\", mode=\"idle\"}}'\n        values: '0+15x40'\n    \
         alert_rule_test:\n      - eval_time: 4m\n        alertname: InstanceDown\n        exp_alerts: []\n      \
         - eval_time: 8m\n        alertname: HighLoad\n        exp_alerts: []\n",
        rules.display()
    );
    let file = lab.dir.path().join("quiet_test.yml");
    fs::write(&file, quiet).expect("write");
    let output = run(Command::new(tool("promtool")).args(["test", "rules"]).arg(&file));
    let text = render(&output, &[]);
    assert!(!output.status.success(), "alerts were expected to fire:\n{text}");
    assert!(
        text.contains("alertname=\"InstanceDown\", instance=\"sick:9100\"")
            && text.contains("alertname=\"HighLoad\", instance=\"busy:9100\""),
        "{text}"
    );
}

#[test]
fn amtool_accepts_the_alertmanager_config() {
    let lab = Lab::build(&[]);
    let config = lab.host_file("mon1", "/etc/prometheus/alertmanager.yml");
    let output = run(Command::new(tool("amtool")).arg("check-config").arg(&config));
    let text = ok(&output, "amtool check-config");
    assert!(text.contains("SUCCESS") && text.contains("1 receivers"), "{text}");
    let args = default_args(&lab.host_file("mon1", "/etc/default/prometheus-alertmanager"));
    assert_eq!(args, ["--web.listen-address=10.30.0.13:9093", "--cluster.listen-address="]);
}

/// Our own minimal schema of a provisioned dashboard: the fields Grafana reads, typed.
const DASHBOARD_SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["uid", "title", "schemaVersion", "panels", "templating", "time"],
  "properties": {
    "uid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
    "title": {"type": "string", "minLength": 1},
    "schemaVersion": {"type": "integer", "minimum": 36},
    "editable": {"type": "boolean"},
    "refresh": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "time": {"type": "object", "required": ["from", "to"], "properties": {"from": {"type": "string"}, "to": {"type": "string"}}},
    "templating": {"type": "object", "required": ["list"], "properties": {"list": {"type": "array", "items": {
      "type": "object", "required": ["name", "type"],
      "properties": {"name": {"type": "string"}, "type": {"enum": ["query", "custom", "datasource", "interval", "constant", "textbox", "adhoc"]}}
    }}}},
    "panels": {"type": "array", "minItems": 1, "items": {
      "type": "object",
      "required": ["id", "type", "title", "gridPos", "datasource", "targets"],
      "properties": {
        "id": {"type": "integer", "minimum": 1},
        "type": {"enum": ["timeseries", "stat", "gauge", "table", "bargauge", "text"]},
        "title": {"type": "string", "minLength": 1},
        "datasource": {"$ref": "#/$defs/datasource"},
        "gridPos": {"type": "object", "required": ["h", "w", "x", "y"], "additionalProperties": false, "properties": {
          "h": {"type": "integer", "minimum": 1}, "w": {"type": "integer", "minimum": 1, "maximum": 24},
          "x": {"type": "integer", "minimum": 0, "maximum": 23}, "y": {"type": "integer", "minimum": 0}}},
        "targets": {"type": "array", "minItems": 1, "items": {
          "type": "object", "required": ["refId", "expr"],
          "properties": {"refId": {"type": "string"}, "expr": {"type": "string", "minLength": 1}, "datasource": {"$ref": "#/$defs/datasource"}}
        }}
      }
    }}
  },
  "$defs": {
    "datasource": {"type": "object", "required": ["type", "uid"], "additionalProperties": false,
      "properties": {"type": {"const": "prometheus"}, "uid": {"type": "string"}}}
  }
}
"##;

/// The `"expr"` strings of a pretty-printed dashboard.
fn expressions(json: &str) -> Vec<String> {
    json.lines()
        .filter_map(|l| l.trim().strip_prefix("\"expr\": \""))
        .map(|rest| rest.trim_end_matches(',').trim_end_matches('"').replace("\\\"", "\"").replace("\\\\", "\\"))
        .collect()
}

#[test]
fn the_dashboard_matches_its_schema_and_every_promql_expression_parses() {
    let lab = Lab::build(&[]);
    let dashboard = lab.host_file("mon1", "/var/lib/grafana/dashboards/hosts.json");
    let schema = lab.dir.path().join("dashboard.schema.json");
    fs::write(&schema, DASHBOARD_SCHEMA).expect("write schema");
    let output = run(Command::new(tool("check-jsonschema")).arg("--schemafile").arg(&schema).arg(&dashboard));
    let text = ok(&output, "check-jsonschema");
    assert!(text.contains("ok -- validation done"), "{text}");

    // Grafana's own schema: the JSON Schema of @grafana/schema's `Dashboard` type (generated by
    // scripts/setup.sh). It sets `additionalProperties: false`, so it is stricter than Grafana.
    let grafana = crate::common::workspace().join(".tools/grafana-schema/dashboard.schema.json");
    assert!(grafana.exists(), "{} is missing; run scripts/setup.sh", grafana.display());
    let output = run(Command::new(tool("check-jsonschema")).arg("--schemafile").arg(&grafana).arg(&dashboard));
    let text = ok(&output, "check-jsonschema against @grafana/schema");
    assert!(text.contains("ok -- validation done"), "{text}");
    // ... and it does catch mistakes.
    let json = fs::read_to_string(&dashboard).expect("dashboard");
    let broken = lab.dir.path().join("broken.json");
    fs::write(&broken, json.replacen("\"w\": 12", "\"w\": \"12\"", 1)).expect("write");
    let output = run(Command::new(tool("check-jsonschema")).arg("--schemafile").arg(&grafana).arg(&broken));
    assert!(!output.status.success(), "a string width passed the schema:\n{}", render(&output, &[]));

    // The datasource the dashboard uses is the provisioned one, pointing at Prometheus.
    let datasources =
        fs::read_to_string(lab.host_file("mon1", "/etc/grafana/provisioning/datasources/stackc.yaml")).expect("ds");
    assert!(datasources.contains("uid: \"stackc-prometheus\"") && json.contains("\"uid\": \"stackc-prometheus\""));
    assert!(datasources.contains("url: \"http://10.30.0.13:9090/\""), "{datasources}");

    // Every PromQL expression of the dashboard, as recording rules for promtool's parser.
    let exprs = expressions(&json);
    assert_eq!(exprs.len(), 5, "{exprs:?}");
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, expr) in exprs.iter().enumerate() {
        rules.push_str(&format!("      - record: dashboard:expr{i}\n        expr: '{}'\n", expr.replace('\'', "''")));
    }
    let file = lab.dir.path().join("dashboard_rules.yml");
    fs::write(&file, &rules).expect("write");
    let output = run(Command::new(tool("promtool")).args(["check", "rules"]).arg(&file));
    let text = ok(&output, "promtool check rules on the dashboard's expressions");
    assert!(text.contains("SUCCESS: 5 rules found"), "{text}\n{rules}");
}

#[test]
fn prometheus_scrapes_the_node_exporters_and_finds_the_alertmanager_on_loopback() {
    let lab = Lab::build(&loopback_overrides());
    let etc = lab.prometheus_root();
    let data = lab.dir.path().join("data");
    let mut processes = Children(Vec::new());

    // Two node exporters, each with the arguments generated for its host.
    for host in ["web1", "mon1"] {
        let args = default_args(&lab.host_file(host, "/etc/default/prometheus-node-exporter"));
        assert!(args[0].starts_with("--web.listen-address=127.0.2."), "{args:?}");
        let log = lab.dir.path().join(format!("node-{host}.log"));
        processes.0.push(spawn(Command::new(tool("prometheus-node-exporter")).args(&args), &log));
    }
    let args = default_args(&lab.host_file("mon1", "/etc/default/prometheus"));
    assert_eq!(args[0], format!("--web.listen-address={MON1}:9090"));
    let log = lab.dir.path().join("prometheus.log");
    processes.0.push(spawn(
        Command::new(tool("prometheus"))
            .args(&args)
            .arg(format!("--config.file={}", etc.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", data.display())),
        &log,
    ));

    // Alertmanager with the arguments generated for mon1: Prometheus sends it alerts.
    let args = default_args(&lab.host_file("mon1", "/etc/default/prometheus-alertmanager"));
    assert_eq!(args, [format!("--web.listen-address={MON1}:9093"), "--cluster.listen-address=".to_owned()]);
    let log = lab.dir.path().join("alertmanager.log");
    processes.0.push(spawn(
        Command::new(tool("prometheus-alertmanager"))
            .args(&args)
            .arg(format!("--config.file={}", lab.host_file("mon1", "/etc/prometheus/alertmanager.yml").display()))
            .arg(format!("--storage.path={}", lab.dir.path().join("alertmanager").display())),
        &log,
    ));

    // Both node targets up, from scrape jobs nobody wrote by hand.
    let wanted = [format!("\"instance\":\"{WEB1}:9100\""), format!("\"instance\":\"{MON1}:9100\"")];
    let answer = wait_for(&lab, &["--data-urlencode", "query=up{job=\"node\"} == 1"], "query", &wanted);
    println!("up: {answer}");
    // The Alertmanager is a scrape target too, and Prometheus has found it for its alerts.
    let wanted = [format!("\"instance\":\"{MON1}:9093\"")];
    wait_for(&lab, &["--data-urlencode", "query=up{job=\"alertmanager\"} == 1"], "query", &wanted);
    let wanted = [format!("\"activeAlertmanagers\":[{{\"url\":\"http://{MON1}:9093/api/v2/alerts\"}}]")];
    wait_for(&lab, &[], "alertmanagers", &wanted);
}

/// Polls `/api/v1/<api>` of the lab's Prometheus for up to 25 s until the answer contains
/// everything `wanted`; returns it.
fn wait_for(lab: &Lab, args: &[&str], api: &str, wanted: &[String]) -> String {
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let output = run(Command::new(tool("curl"))
            .args(["-sS", "--max-time", "2", "-G"])
            .arg(format!("http://{MON1}:9090/api/v1/{api}"))
            .args(args));
        let answer = String::from_utf8_lossy(&output.stdout).into_owned();
        if answer.contains("\"status\":\"success\"") && wanted.iter().all(|w| answer.contains(w.as_str())) {
            return answer;
        }
        if Instant::now() > deadline {
            let logs: String = ["node-web1.log", "node-mon1.log", "prometheus.log", "alertmanager.log"]
                .iter()
                .map(|f| format!("--- {f}\n{}", fs::read_to_string(lab.dir.path().join(f)).unwrap_or_default()))
                .collect();
            panic!(
                "/api/v1/{api} {args:?} did not show {wanted:?} within 25 s; last answer:\n{answer}\n{}\n{logs}",
                render(&output, &[])
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Runs an Ansible tool from the project's virtualenv in the bundle's `ansible/` directory,
/// with its state in a temporary home.
fn ansible(lab: &Lab, program: &str, args: &[&str]) -> Output {
    let program = tool(program);
    // ansible-lint runs ansible-playbook and ansible-galaxy by name.
    let venv = crate::common::workspace().join(".venv/bin");
    let mut path = vec![venv, program.parent().expect("parent").to_owned()];
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let home = lab.dir.path().join("home");
    fs::create_dir_all(&home).expect("mkdir home");
    run(Command::new(&program)
        .args(args)
        .current_dir(lab.bundle.join("ansible"))
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .env("HOME", &home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("NO_COLOR", "1"))
}

#[test]
fn grafana_comes_from_its_apt_repository_in_a_playbook_that_passes_ansible_lint() {
    let lab = Lab::build(&[]);
    let playbook = fs::read_to_string(lab.bundle.join("ansible/site.yml")).expect("playbook");
    let play = playbook.split("\n- name: ").find(|p| p.contains("grafana (grafana)")).expect("the grafana play");
    let repository =
        play.find("ansible.builtin.deb822_repository:").unwrap_or_else(|| panic!("no repository:\n{play}"));
    let install = play.find("          - \"grafana\"").unwrap_or_else(|| panic!("grafana is not installed:\n{play}"));
    assert!(repository < install, "the repository must come before the package:\n{play}");
    for line in [
        "uris: \"https://apt.grafana.com\"",
        "suites: \"stable\"",
        "components: \"main\"",
        "signed_by: \"https://apt.grafana.com/gpg.key\"",
    ] {
        assert!(play.contains(line), "missing `{line}`:\n{play}");
    }

    let output = ansible(&lab, "ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "site.yml"]);
    ok(&output, "ansible-playbook --syntax-check");
    let output = ansible(&lab, "ansible-lint", &["--offline"]);
    let text = ok(&output, "ansible-lint");
    assert!(text.contains("Passed: 0 failure(s), 0 warning(s)"), "{text}");
}
