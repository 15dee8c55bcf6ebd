//! The host dashboard: load, CPU, memory and network per host from node-exporter metrics.

use stackc_plugin_sdk::serde_json::{Value, json};

/// Every PromQL expression of the dashboard, in panel order (tests parse them with promtool).
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

pub fn dashboard(uid: &str, title: &str, datasource_uid: &str) -> Value {
    let datasource = json!({"type": "prometheus", "uid": datasource_uid});
    let panels: Vec<Value> = expressions()
        .into_iter()
        .enumerate()
        .map(|(index, (panel_title, unit, expr))| {
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
                    "legendFormat": "{{instance}}"
                }]
            })
        })
        .collect();
    json!({
        "uid": uid,
        "title": title,
        "tags": ["stackc", "node-exporter"],
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
            "name": "instance",
            "label": "Host",
            "type": "query",
            "datasource": datasource,
            "query": {"query": "label_values(node_uname_info, instance)", "refId": "instance"},
            "refresh": 2,
            "multi": true,
            "includeAll": true,
            "current": {"selected": true, "text": ["All"], "value": ["$__all"]},
            "sort": 1
        }]},
        "panels": panels
    })
}
