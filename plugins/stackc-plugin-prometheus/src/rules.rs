//! The alert rules on node-exporter metrics and their promtool unit tests. Written as text:
//! the annotations are Prometheus templates (`{{ $labels.instance }}`) that a handlebars
//! template would have to escape.

use std::fmt::Write as _;

pub struct Thresholds {
    pub high_load: f64,
    pub instance_down_for: String,
    pub high_load_for: String,
}

pub const INSTANCE_DOWN: &str = "up == 0";

pub fn high_load_expr(threshold: f64) -> String {
    format!(r#"node_load1 / on (instance) count by (instance) (node_cpu_seconds_total{{mode="idle"}}) > {threshold}"#)
}

fn instance_down_description(t: &Thresholds) -> String {
    format!("The target has not answered scrapes for {}.", t.instance_down_for)
}

fn high_load_description(t: &Thresholds) -> String {
    format!("The 1-minute load per CPU has been above {} for {}.", t.high_load, t.high_load_for)
}

/// The rule file, `/etc/prometheus/rules/<service>.yml`.
pub fn rules(t: &Thresholds) -> String {
    format!(
        r#"# Alert rules on host metrics, written by stackc.
groups:
  - name: node
    rules:
      - alert: InstanceDown
        expr: '{INSTANCE_DOWN}'
        for: {down_for}
        labels:
          severity: critical
        annotations:
          summary: "{{{{ $labels.instance }}}} of job {{{{ $labels.job }}}} is down"
          description: "{down_description}"
      - alert: HighLoad
        expr: '{high_load}'
        for: {load_for}
        labels:
          severity: warning
        annotations:
          summary: "High load on {{{{ $labels.instance }}}}"
          description: "{load_description}"
"#,
        down_for = t.instance_down_for,
        down_description = instance_down_description(t),
        high_load = high_load_expr(t.high_load),
        load_for = t.high_load_for,
        load_description = high_load_description(t),
    )
}

/// Seconds in a Prometheus duration (already checked).
fn seconds(duration: &str) -> u64 {
    let mut total = 0;
    let mut rest = duration;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u64 = rest[..digits].parse().unwrap_or(0);
        rest = &rest[digits..];
        let (unit, factor) =
            [("ms", 0), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800), ("y", 31_536_000)]
                .into_iter()
                .find(|(u, _)| rest.starts_with(u))
                .unwrap_or(("", 0));
        if unit.is_empty() {
            break;
        }
        rest = &rest[unit.len()..];
        total += n * factor;
    }
    total
}

/// A promtool unit test file: synthetic series make `InstanceDown` and `HighLoad` fire for
/// one instance and stay quiet for another.
pub fn unit_tests(t: &Thresholds, rule_file: &str) -> String {
    const STEP: u64 = 15;
    let down_for = seconds(&t.instance_down_for);
    let load_for = seconds(&t.high_load_for);
    let samples = (down_for.max(load_for) + 180) / STEP;
    let mut out = format!(
        "# promtool unit tests for the alert rules: `promtool test rules rules_test.yml`, run from\n\
         # this directory of the bundle. Written by stackc.\n\
         rule_files:\n  - \"{rule_file}\"\n\nevaluation_interval: {STEP}s\n\ntests:\n"
    );
    // InstanceDown: `sick` stops answering after the first sample, `healthy` keeps answering.
    write!(
        out,
        "  - interval: {STEP}s\n    input_series:\n      \
         - series: 'up{{job=\"node\", instance=\"sick:9100\"}}'\n        values: '1 0x{samples}'\n      \
         - series: 'up{{job=\"node\", instance=\"healthy:9100\"}}'\n        values: '1x{samples}'\n    \
         alert_rule_test:\n"
    )
    .expect("write to string");
    if down_for >= 2 * STEP {
        write!(out, "      - eval_time: {STEP}s\n        alertname: InstanceDown\n        exp_alerts: []\n")
            .expect("write to string");
    }
    write!(
        out,
        "      - eval_time: {}s\n        alertname: InstanceDown\n        exp_alerts:\n          \
         - exp_labels:\n              severity: critical\n              job: node\n              instance: \"sick:9100\"\n            \
         exp_annotations:\n              summary: \"sick:9100 of job node is down\"\n              description: \"{}\"\n",
        STEP + down_for + 2 * STEP,
        instance_down_description(t),
    )
    .expect("write to string");
    // HighLoad: `busy` has 2 CPUs and a load of 4 × the threshold, `idle` a load near zero.
    let busy_load = t.high_load * 4.0;
    write!(
        out,
        "\n  - interval: {STEP}s\n    input_series:\n      \
         - series: 'node_load1{{job=\"node\", instance=\"busy:9100\"}}'\n        values: '{busy_load}x{samples}'\n      \
         - series: 'node_cpu_seconds_total{{job=\"node\", instance=\"busy:9100\", cpu=\"0\", mode=\"idle\"}}'\n        values: '0+{STEP}x{samples}'\n      \
         - series: 'node_cpu_seconds_total{{job=\"node\", instance=\"busy:9100\", cpu=\"1\", mode=\"idle\"}}'\n        values: '0+{STEP}x{samples}'\n      \
         - series: 'node_load1{{job=\"node\", instance=\"idle:9100\"}}'\n        values: '0x{samples}'\n      \
         - series: 'node_cpu_seconds_total{{job=\"node\", instance=\"idle:9100\", cpu=\"0\", mode=\"idle\"}}'\n        values: '0+{STEP}x{samples}'\n    \
         alert_rule_test:\n"
    )
    .expect("write to string");
    if load_for >= 2 * STEP {
        write!(out, "      - eval_time: {STEP}s\n        alertname: HighLoad\n        exp_alerts: []\n")
            .expect("write to string");
    }
    write!(
        out,
        "      - eval_time: {}s\n        alertname: HighLoad\n        exp_alerts:\n          \
         - exp_labels:\n              severity: warning\n              instance: \"busy:9100\"\n            \
         exp_annotations:\n              summary: \"High load on busy:9100\"\n              description: \"{}\"\n",
        load_for + 2 * STEP,
        high_load_description(t),
    )
    .expect("write to string");
    out
}
