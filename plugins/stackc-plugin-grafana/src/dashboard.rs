//! The provisioned dashboards: hosts (load, CPU, memory and network per host from
//! node-exporter metrics) and services (every scraped job's health and process metrics, with
//! the API's requests and latency and the databases' own exporters).

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::serde_json::{Value, json};

/// Which dashboard a Grafana service provisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Board {
    /// Hosts, from node-exporter: the default on hosts.
    Hosts,
    /// Scraped services: the default in a Compose project.
    Services,
}

/// A panel: title, unit, PromQL, legend.
type Panel = (&'static str, &'static str, String, &'static str);

impl Board {
    pub fn title(self) -> &'static str {
        match self {
            Board::Hosts => "Hosts (node exporter)",
            Board::Services => "Services",
        }
    }

    /// What the dashboard is about, as a tag.
    fn tag(self) -> &'static str {
        match self {
            Board::Hosts => "node-exporter",
            Board::Services => "services",
        }
    }

    /// The file and uid suffix.
    pub fn name(self) -> &'static str {
        match self {
            Board::Hosts => "hosts",
            Board::Services => "services",
        }
    }

    /// Every PromQL expression of the dashboard, in panel order (tests parse them with
    /// promtool).
    pub fn panels(self) -> Vec<Panel> {
        match self {
            Board::Hosts => expressions().into_iter().map(|(t, u, e)| (t, u, e, "{{instance}}")).collect(),
            Board::Services => services(),
        }
    }

    /// The dashboard's variable: (name, label, query).
    fn variable(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Board::Hosts => ("instance", "Host", "label_values(node_uname_info, instance)"),
            Board::Services => ("job", "Service", "label_values(up, job)"),
        }
    }
}

/// The services dashboard: what any exporter reports, then what the stack's own kinds do.
fn services() -> Vec<Panel> {
    let j = r#"job=~"$job""#;
    vec![
        ("Up", "short", format!("up{{{j}}}"), "{{job}} {{instance}}"),
        ("CPU", "percentunit", format!("sum by (job) (rate(process_cpu_seconds_total{{{j}}}[5m]))"), "{{job}}"),
        ("Memory", "bytes", format!("sum by (job) (process_resident_memory_bytes{{{j}}})"), "{{job}}"),
        ("Scrape duration", "s", format!("scrape_duration_seconds{{{j}}}"), "{{job}}"),
        ("API requests", "reqps", "sum by (status) (rate(api_requests_total[5m]))".to_owned(), "{{status}}"),
        (
            "API latency (p95)",
            "s",
            "histogram_quantile(0.95, sum by (le) (rate(api_request_seconds_bucket[5m])))".to_owned(),
            "p95",
        ),
        ("PostgreSQL connections", "short", "sum by (job) (pg_stat_database_numbackends)".to_owned(), "{{job}}"),
        ("Redis memory", "bytes", "redis_memory_used_bytes".to_owned(), "{{job}}"),
    ]
}

/// The host dashboard's expressions, in panel order.
pub fn expressions() -> Vec<(&'static str, &'static str, String)> {
    let i = r#"instance=~"$instance""#;
    vec![
        ("Load (1m)", "short", format!("node_load1{{{i}}}")),
        (
            "CPU busy",
            "percentunit",
            format!(r#"1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle", {i}}}[5m]))"#),
        ),
        (
            "Memory used",
            "percentunit",
            format!("1 - node_memory_MemAvailable_bytes{{{i}}} / node_memory_MemTotal_bytes{{{i}}}"),
        ),
        (
            "Network received",
            "Bps",
            format!(r#"sum by (instance) (rate(node_network_receive_bytes_total{{device!="lo", {i}}}[5m]))"#),
        ),
        (
            "Network sent",
            "Bps",
            format!(r#"sum by (instance) (rate(node_network_transmit_bytes_total{{device!="lo", {i}}}[5m]))"#),
        ),
    ]
}

pub fn dashboard(board: Board, uid: &str, datasource_uid: &str) -> Value {
    let datasource = json!({"type": "prometheus", "uid": datasource_uid});
    let (variable, label, query) = board.variable();
    let panels: Vec<Value> = board
        .panels()
        .into_iter()
        .enumerate()
        .map(|(index, (panel_title, unit, expr, legend))| {
            let index = u32::try_from(index).expect("few panels");
            json!({
                "id": index + 1,
                "type": "timeseries",
                "title": panel_title,
                "datasource": datasource,
                "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index / 2) * 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "options": {
                    "legend": {"displayMode": "list", "placement": "bottom", "showLegend": true},
                    "tooltip": {"mode": "multi", "sort": "none"}
                },
                "targets": [{
                    "refId": "A",
                    "datasource": datasource,
                    "expr": expr,
                    "legendFormat": legend
                }]
            })
        })
        .collect();
    json!({
        "uid": uid,
        "title": board.title(),
        "tags": ["stackc", board.tag()],
        "timezone": "browser",
        "editable": false,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": [{
            "name": variable,
            "label": label,
            "type": "query",
            "datasource": datasource,
            "query": {"query": query, "refId": variable},
            "refresh": 2,
            "multi": true,
            "includeAll": true,
            "current": {"selected": true, "text": ["All"], "value": ["$__all"]},
            "sort": 1
        }]},
        "panels": panels
    })
}
