//! The alert rules on node-exporter metrics (and the service-level ones of `slo.rs`) and their
//! promtool unit tests, as template data.
//! Numbers are formatted here, so that the templates print what Rust prints (`2`, not `2.0`).

use serde::Serialize;

use crate::slo::Slo;

/// Samples in the unit tests are this many seconds apart.
const STEP: u64 = 15;

pub struct Thresholds {
    pub high_load: f64,
    pub instance_down_for: String,
    pub high_load_for: String,
}

/// One alert, for both templates.
#[derive(Serialize)]
pub struct Alert {
    expr: String,
    #[serde(rename = "for")]
    duration: String,
    description: String,
    /// Whether the unit test also expects silence at the first step (the alert waits at
    /// least two steps).
    quiet_at_first_step: bool,
    /// When the unit test expects the alert to fire, in seconds.
    fires_at: u64,
}

/// Data of `rules.yml` and `rules_test.yml`.
#[derive(Serialize)]
pub struct Rules<'a> {
    instance_down: Alert,
    high_load: Alert,
    /// The rule file as the unit test reaches it from its directory in the bundle.
    rule_file: &'a str,
    step: u64,
    /// Samples per series, enough for the slower alert to fire.
    samples: u64,
    /// `busy` has 2 CPUs and a load of 4 × the threshold.
    busy_load: String,
    /// The service-level alerts, when the config asks for any.
    slo: Option<Slo>,
}

impl<'a> Rules<'a> {
    pub fn new(t: &Thresholds, rule_file: &'a str, slo: Option<Slo>) -> Self {
        let down_for = seconds(&t.instance_down_for);
        let load_for = seconds(&t.high_load_for);
        Rules {
            instance_down: Alert {
                expr: "up == 0".to_owned(),
                duration: t.instance_down_for.clone(),
                description: format!("The target has not answered scrapes for {}.", t.instance_down_for),
                quiet_at_first_step: down_for >= 2 * STEP,
                // `sick` stops answering after the first sample.
                fires_at: STEP + down_for + 2 * STEP,
            },
            high_load: Alert {
                expr: format!(
                    r#"node_load1 / on (instance) count by (instance) (node_cpu_seconds_total{{mode="idle"}}) > {}"#,
                    t.high_load
                ),
                duration: t.high_load_for.clone(),
                description: format!(
                    "The 1-minute load per CPU has been above {} for {}.",
                    t.high_load, t.high_load_for
                ),
                quiet_at_first_step: load_for >= 2 * STEP,
                fires_at: load_for + 2 * STEP,
            },
            rule_file,
            step: STEP,
            samples: (down_for.max(load_for) + 180) / STEP,
            busy_load: (t.high_load * 4.0).to_string(),
            slo,
        }
    }
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
