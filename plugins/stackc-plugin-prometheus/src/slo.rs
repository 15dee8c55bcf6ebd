//! The service-level alerts: entry points probed through a blackbox exporter (too slow, a
//! 5xx, no answer) and HAProxy's own counts (a 5xx from a backend, a backend with no server
//! up), with the data of their promtool unit tests. A failure is an answer slower than the
//! budget or any 5xx, so every alert fires at the first evaluation that sees one.

use serde::Serialize;

use crate::config::Probe;

/// One alert of the `slo` group.
#[derive(Serialize)]
pub struct SloAlert {
    name: &'static str,
    expr: String,
    severity: &'static str,
    /// The probe a probe alert is about: the label keeps the rules of several probes apart.
    probe: Option<String>,
    summary: &'static str,
    description: String,
}

/// A probe's unit test data.
#[derive(Serialize)]
pub struct ProbeTest {
    name: String,
    job: String,
    /// How long the slow entry point of the test takes, in seconds: a second over budget.
    slow: String,
    slow_description: String,
    error_description: String,
    failed_description: String,
}

/// The balancers' unit test data: the job of the first balancer.
#[derive(Serialize)]
pub struct BalancerTest {
    job: String,
    error_description: String,
    no_server_description: String,
}

/// Data of the `slo` group and of its tests.
#[derive(Serialize)]
pub struct Slo {
    alerts: Vec<SloAlert>,
    /// Every alert name once, for the test that expects silence.
    names: Vec<&'static str>,
    probes: Vec<ProbeTest>,
    balancers: Option<BalancerTest>,
}

/// `jobs` are the balancers' scrape jobs; `window` is the range in seconds over which a
/// backend's 5xx count must not grow.
pub fn slo(probes: &[(String, &Probe)], jobs: &[String], window: String) -> Option<Slo> {
    if probes.is_empty() && jobs.is_empty() {
        return None;
    }
    let mut alerts = Vec::new();
    let mut tests = Vec::new();
    for (name, probe) in probes {
        let job = crate::probes::job_name(name);
        let budget = seconds(&probe.slower_than);
        let test = ProbeTest {
            name: name.clone(),
            job: job.clone(),
            slow: (budget + 1.0).to_string(),
            slow_description: format!(
                "An entry point of probe `{name}` answered slower than {}, the time an answer may take.",
                probe.slower_than
            ),
            error_description: format!("An entry point of probe `{name}` answered with a server error."),
            failed_description: format!(
                "An entry point of probe `{name}` gave no good answer in time: it refused the connection, \
                 answered too late for the exporter's timeout, or with a status other than 2xx."
            ),
        };
        alerts.push(SloAlert {
            name: "EntryPointSlow",
            expr: format!(r#"probe_duration_seconds{{job="{job}"}} > {budget}"#),
            severity: "critical",
            probe: Some(name.clone()),
            summary: "{{ $labels.instance }} answered in {{ $value }}s",
            description: test.slow_description.clone(),
        });
        alerts.push(SloAlert {
            name: "EntryPointServerError",
            expr: format!(r#"probe_http_status_code{{job="{job}"}} >= 500"#),
            severity: "critical",
            probe: Some(name.clone()),
            summary: "{{ $labels.instance }} answered with status {{ $value }}",
            description: test.error_description.clone(),
        });
        // A 5xx has an alert of its own; this one is for everything else that fails.
        alerts.push(SloAlert {
            name: "EntryPointFailed",
            expr: format!(
                r#"probe_success{{job="{job}"}} == 0 unless on (instance) probe_http_status_code{{job="{job}"}} >= 500"#
            ),
            severity: "critical",
            probe: Some(name.clone()),
            summary: "{{ $labels.instance }} failed its probe",
            description: test.failed_description.clone(),
        });
        tests.push(test);
    }
    let balancers = jobs.first().map(|job| BalancerTest {
        job: job.clone(),
        error_description: format!("HAProxy answered a request with a server error in the last {window}s."),
        no_server_description: "HAProxy has no server to send the backend's requests to: every request fails."
            .to_owned(),
    });
    if let Some(test) = &balancers {
        let selector = if let [one] = jobs {
            format!(r#"job="{one}""#)
        } else {
            let alternatives: Vec<String> = jobs.iter().map(|j| j.replace('.', r"\\.")).collect();
            format!(r#"job=~"{}""#, alternatives.join("|"))
        };
        alerts.push(SloAlert {
            name: "BackendServerError",
            expr: format!(r#"increase(haproxy_backend_http_responses_total{{{selector},code="5xx"}}[{window}s]) > 0"#),
            severity: "critical",
            probe: None,
            summary: "Backend {{ $labels.proxy }} of {{ $labels.instance }} answered with a 5xx",
            description: test.error_description.clone(),
        });
        alerts.push(SloAlert {
            name: "BackendNoServerUp",
            expr: format!(r#"haproxy_backend_active_servers{{{selector}}} == 0"#),
            severity: "critical",
            probe: None,
            summary: "Backend {{ $labels.proxy }} of {{ $labels.instance }} has no server up",
            description: test.no_server_description.clone(),
        });
    }
    let mut names: Vec<&'static str> = alerts.iter().map(|a| a.name).collect();
    names.sort_unstable();
    names.dedup();
    Some(Slo { alerts, names, probes: tests, balancers })
}

/// Seconds in a Prometheus duration (already checked), milliseconds included.
pub fn seconds(duration: &str) -> f64 {
    let mut millis: u64 = 0;
    let mut rest = duration;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u64 = rest[..digits].parse().unwrap_or(0);
        rest = &rest[digits..];
        let units = [
            ("ms", 1),
            ("s", 1000),
            ("m", 60_000),
            ("h", 3_600_000),
            ("d", 86_400_000),
            ("w", 604_800_000),
            ("y", 31_536_000_000),
        ];
        let Some((unit, factor)) = units.into_iter().find(|(u, _)| rest.starts_with(u)) else { break };
        rest = &rest[unit.len()..];
        millis += n * factor;
    }
    // Exact: budgets are far below 2^53 milliseconds.
    millis as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn budgets_in_seconds() {
        assert_eq!(seconds("2s").to_string(), "2");
        assert_eq!(seconds("1500ms").to_string(), "1.5");
        assert_eq!(seconds("1m30s").to_string(), "90");
    }
}
