//! The keepalived plugin's render logic, run natively.

use stackc_plugin_keepalived::Keepalived;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, host_file, render};
use stackc_plugin_sdk::{Artifact, RenderContext};

const CONFIG: &str = "/etc/keepalived/keepalived.conf";

fn vip_config() -> Value {
    json!({"virtual-router-id": 51, "virtual-ip": "10.30.0.100/24", "interface": "eth0"})
}

fn balancers(count: usize) -> RenderContext {
    let hosts: Vec<(String, String)> = (1..=count).map(|i| (format!("lb{i}"), format!("10.30.0.1{i}"))).collect();
    let hosts: Vec<(&str, &str)> = hosts.iter().map(|(n, a)| (n.as_str(), a.as_str())).collect();
    context("vip", &hosts)
}

#[test]
fn the_first_host_is_master_and_names_the_other_as_peer() {
    let artifacts = render::<Keepalived>(&vip_config(), &balancers(2)).expect("renders");
    insta::assert_snapshot!("master", host_file(&artifacts, "lb1", CONFIG));
    insta::assert_snapshot!("backup", host_file(&artifacts, "lb2", CONFIG));
    assert!(artifacts.contains(&Artifact::package("keepalived")));
    assert!(artifacts.contains(&Artifact::reloaded_service("keepalived")));
}

#[test]
fn priorities_fall_by_ten_per_host() {
    let artifacts = render::<Keepalived>(&vip_config(), &balancers(3)).expect("renders");
    let lines: Vec<String> = ["lb1", "lb2", "lb3"]
        .iter()
        .map(|h| {
            let text = host_file(&artifacts, h, CONFIG);
            let state = text.lines().find(|l| l.trim().starts_with("state ")).expect("state").trim();
            let priority = text.lines().find(|l| l.trim().starts_with("priority ")).expect("priority").trim();
            format!("{h}: {state}, {priority}")
        })
        .collect();
    assert_eq!(
        lines,
        ["lb1: state MASTER, priority 150", "lb2: state BACKUP, priority 140", "lb3: state BACKUP, priority 130"]
    );
}

#[test]
fn multicast_and_a_fast_advert_interval() {
    let mut config = vip_config();
    config["unicast"] = json!(false);
    config["advert-interval"] = json!("250ms");
    config["check"] = json!({"process": "nginx"});
    let artifacts = render::<Keepalived>(&config, &balancers(2)).expect("renders");
    let text = host_file(&artifacts, "lb2", CONFIG);
    assert!(!text.contains("unicast"), "{text}");
    assert!(text.contains("    advert_int 0.25\n"), "{text}");
    assert!(text.contains("    script \"/bin/pidof nginx\"\n"), "{text}");
}

#[test]
fn there_is_no_password() {
    let artifacts = render::<Keepalived>(&vip_config(), &balancers(2)).expect("renders");
    let text = host_file(&artifacts, "lb1", CONFIG);
    assert!(!text.contains("auth"), "{text}");
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "virtual-router-id": 300,
        "virtual-ip": ["10.30.0.100/33", "2001:db8::1", "10.30.0.101"],
        "interface": "eth 0",
        "advert-interval": "1.5s",
        "priority": 255,
        "check": {"process": "ha proxy", "fall": 0},
    });
    let errors = render::<Keepalived>(&config, &balancers(2)).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn one_host_or_named_hosts_are_errors() {
    let errors = render::<Keepalived>(&vip_config(), &balancers(1)).unwrap_err();
    assert_eq!(errors[0].message, "a virtual IP needs two or more hosts to move between");
    let named = context("vip", &[("lb1", "lb1.example.org"), ("lb2", "10.30.0.12")]);
    let errors = render::<Keepalived>(&vip_config(), &named).unwrap_err();
    assert_eq!(errors[0].path, ["unicast"]);
    assert_eq!(errors[0].message, "host `lb1` has no IP address for unicast VRRP");
}

#[test]
fn too_many_hosts_for_the_priority_is_an_error() {
    let mut config = vip_config();
    config["priority"] = json!(20);
    let errors = render::<Keepalived>(&config, &balancers(3)).unwrap_err();
    assert_eq!(errors[0].path, ["priority"]);
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(render::<Keepalived>(&vip_config(), &balancers(3)), render::<Keepalived>(&vip_config(), &balancers(3)));
}
