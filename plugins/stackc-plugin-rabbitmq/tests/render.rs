//! The rabbitmq plugin's render logic, run natively.

use stackc_plugin_rabbitmq::RabbitMq;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, expose, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole};

fn config() -> Value {
    json!({"user": "octopus", "password": secret("mq-password"), "networks": ["queue", "monitoring"]})
}

fn container(artifacts: &[Artifact]) -> &Container {
    let mut containers = artifacts.iter().filter_map(|a| match a {
        Artifact::Container(c) => Some(c),
        _ => None,
    });
    let container = containers.next().expect("a container");
    assert!(containers.next().is_none(), "one container");
    container
}

fn file<'a>(container: &'a Container, path: &str) -> &'a str {
    let file = container.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"));
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

#[test]
fn broker_with_its_user_volume_and_healthcheck() {
    let artifacts = render::<RabbitMq>(&config(), &compose_context("mq", "octopus")).expect("renders");
    let c = container(&artifacts);
    assert_eq!((c.name.as_str(), c.image.as_str(), c.user.as_str()), ("mq", "rabbitmq:3.13-management", "999:999"));
    insta::assert_snapshot!("rabbitmq_conf", file(c, "/etc/rabbitmq/rabbitmq.conf"));
    assert_eq!(file(c, "/etc/rabbitmq/enabled_plugins"), "[rabbitmq_management,rabbitmq_prometheus].\n");
    assert_eq!(
        c.environment,
        [("RABBITMQ_NODENAME", "rabbit@localhost"), ("RABBITMQ_DEFAULT_USER", "octopus")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    // The password is a reference to the secret, filled in by Compose from `.env`.
    assert_eq!(c.secret_environment, [("RABBITMQ_DEFAULT_PASS".to_owned(), "mq-password".to_owned())]);
    assert_eq!(c.networks, ["queue", "monitoring"]);
    let mounts: Vec<_> = c.volumes.iter().map(|v| (v.volume.as_str(), v.target.as_str(), v.read_only)).collect();
    assert_eq!(mounts, [("mq-data", "/var/lib/rabbitmq", false)]);
    assert!(artifacts.iter().any(|a| matches!(a, Artifact::Volume(v) if v.name == "mq-data")));
    let health = c.healthcheck.as_ref().expect("a healthcheck");
    assert_eq!(health.command, ["rabbitmq-diagnostics", "-q", "ping"]);
    assert!(c.ports.is_empty(), "nothing published by default");
}

#[test]
fn options_change_the_config_and_publish_the_management_ui_on_loopback() {
    let mut config = config();
    config["vhost"] = json!("/jobs");
    config["memory-high-watermark"] = json!(0.6);
    config["management-port"] = json!(15672);
    config["image"] = json!("rabbitmq:3.13.7-management");
    let artifacts = render::<RabbitMq>(&config, &compose_context("broker", "octopus")).expect("renders");
    let c = container(&artifacts);
    let conf = file(c, "/etc/rabbitmq/rabbitmq.conf");
    assert!(conf.contains("\ndefault_vhost = /jobs\n"), "{conf}");
    assert!(conf.contains("\nvm_memory_high_watermark.relative = 0.6\n"), "{conf}");
    assert_eq!(c.image, "rabbitmq:3.13.7-management");
    let ports: Vec<_> = c.ports.iter().map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port)).collect();
    assert_eq!(ports, [(Some("127.0.0.1"), 15672, 15672)]);
    assert!(c.volumes.iter().all(|v| v.volume == "broker-data"));
}

#[test]
fn exports_amqp_management_and_metrics() {
    let exports = expose::<RabbitMq>("queue", &config()).expect("exposes");
    let endpoints: Vec<_> = exports
        .endpoints
        .iter()
        .map(|e| (e.name.as_str(), e.port, e.protocol.as_str(), e.path.as_str(), e.role))
        .collect();
    assert_eq!(
        endpoints,
        [
            ("amqp", 5672, "amqp", "/", EndpointRole::Service),
            ("management", 15672, "http", "/", EndpointRole::Status),
            ("metrics", 15692, "http", "/metrics", EndpointRole::Metrics),
        ]
    );
}

#[test]
fn renders_the_same_bytes_twice() {
    let context = compose_context("mq", "octopus");
    assert_eq!(render::<RabbitMq>(&config(), &context), render::<RabbitMq>(&config(), &context));
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "user": "oc topus",
        "password": secret("mq-password"),
        "vhost": "jobs/x",
        "image": "",
        "memory-high-watermark": 1.5,
        "management-port": 0,
    });
    let errors = render::<RabbitMq>(&config, &compose_context("mq", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn runs_only_in_a_compose_project() {
    let errors = render::<RabbitMq>(&config(), &context("mq", &[("mq1", "10.0.0.5")])).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].path.is_empty());
    assert_eq!(errors[0].message, "the rabbitmq plugin runs in a Compose project");
    assert_eq!(errors[0].help.as_deref(), Some("place it on the stack's Compose project: `on=\"<project>\"`"));
}

#[test]
fn a_password_must_be_a_secret() {
    let config = json!({"user": "octopus", "password": "hunter2"});
    let errors = render::<RabbitMq>(&config, &compose_context("mq", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}
