//! The celery-worker plugin's render logic, run natively.

use stackc_plugin_celery_worker::CeleryWorker;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole, ImageBuild, PlacedEndpoint};

fn amqp() -> PlacedEndpoint {
    PlacedEndpoint { protocol: "amqp".to_owned(), ..endpoint("mq", "mq", "mq", "amqp", 5672, EndpointRole::Service) }
}

fn config() -> Value {
    json!({
        "broker": reference("mq.amqp", &[amqp()]),
        "broker-user": "octopus",
        "broker-password": secret("mq-password"),
        "networks": "queue",
    })
}

fn parts(artifacts: &[Artifact]) -> (&ImageBuild, &Container) {
    let build = artifacts.iter().find_map(|a| match a {
        Artifact::ImageBuild(b) => Some(b),
        _ => None,
    });
    let container = artifacts.iter().find_map(|a| match a {
        Artifact::Container(c) => Some(c),
        _ => None,
    });
    assert_eq!(artifacts.len(), 2, "an image build and a container: {artifacts:?}");
    (build.expect("an image build"), container.expect("a container"))
}

fn file<'a>(build: &'a ImageBuild, path: &str) -> &'a str {
    let file = build.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"));
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

fn env(container: &Container) -> Vec<(&str, &str)> {
    container.environment.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn worker_image_and_container() {
    let artifacts = render::<CeleryWorker>(&config(), &compose_context("worker", "octopus")).expect("renders");
    let (build, c) = parts(&artifacts);
    assert_eq!(build.name, "worker");
    let paths: Vec<_> = build.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["Dockerfile", "requirements.txt", "message_logger.py"]);
    insta::assert_snapshot!("dockerfile", file(build, "Dockerfile"));
    let requirements = file(build, "requirements.txt");
    assert!(requirements.lines().any(|l| l.starts_with("celery==")), "{requirements}");
    for line in requirements.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.contains("=="), "`{line}` is not pinned");
    }
    assert!(file(build, "message_logger.py").contains("signals.task_received.connect"));

    assert_eq!(
        (c.name.as_str(), c.image.as_str(), c.build.as_deref()),
        ("worker", "octopus/worker:latest", Some("worker"))
    );
    assert_eq!(c.user, "10001:10001");
    assert!(file(build, "Dockerfile").trim_end().lines().any(|l| l == "USER 10001:10001"));
    insta::assert_debug_snapshot!("command", c.command);
    assert_eq!(
        env(c),
        [
            ("CELERY_BROKER_HOST", "mq"),
            ("CELERY_BROKER_PORT", "5672"),
            ("CELERY_BROKER_USER", "octopus"),
            ("CELERY_BROKER_VHOST", "/"),
            ("WORKER_NAME", "worker"),
            ("WORKER_TASK", "log_message"),
            ("WORKER_QUEUES", "celery"),
            ("WORKER_LOG_LEVEL", "INFO"),
            ("WORKER_METRICS_ADDRESS", "0.0.0.0"),
            ("WORKER_METRICS_PORT", "9808"),
        ]
    );
    // The password is a reference to the secret, filled in by Compose from `.env`.
    assert_eq!(c.secret_environment, [("CELERY_BROKER_PASSWORD".to_owned(), "mq-password".to_owned())]);
    assert_eq!(c.networks, ["queue"]);
    assert_eq!(c.healthcheck.as_ref().expect("a healthcheck").command, ["python", "-m", "message_logger", "ping"]);
    assert!(c.ports.is_empty() && c.files.is_empty() && c.volumes.is_empty());
}

#[test]
fn options_reach_the_command_and_environment() {
    let mut config = config();
    config["queues"] = json!(["mail", "reports"]);
    config["concurrency"] = json!(4);
    config["task"] = json!("octopus.log_message");
    config["log-level"] = json!("debug");
    config["broker-vhost"] = json!("/jobs");
    config["metrics-port"] = json!(0);
    config["image"] = json!("registry.example.org/octopus/worker:1.0");
    let artifacts = render::<CeleryWorker>(&config, &compose_context("worker", "octopus")).expect("renders");
    let (_, c) = parts(&artifacts);
    let command = c.command.join(" ");
    assert!(command.contains("--concurrency 4 --queues mail,reports"), "{command}");
    assert!(command.contains("--loglevel DEBUG"), "{command}");
    let env = env(c);
    for pair in [
        ("WORKER_TASK", "octopus.log_message"),
        ("WORKER_QUEUES", "mail,reports"),
        ("CELERY_BROKER_VHOST", "/jobs"),
        ("WORKER_METRICS_PORT", "0"),
    ] {
        assert!(env.contains(&pair), "{pair:?} in {env:?}");
    }
    assert_eq!(c.image, "registry.example.org/octopus/worker:1.0");
}

#[test]
fn exports_metrics_unless_turned_off() {
    let exports = expose::<CeleryWorker>("worker", &config()).expect("exposes");
    let endpoints: Vec<_> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.path.as_str(), e.role)).collect();
    assert_eq!(endpoints, [("metrics", 9808, "/metrics", EndpointRole::Metrics)]);
    let mut config = config();
    config["metrics-port"] = json!(0);
    assert!(expose::<CeleryWorker>("worker", &config).expect("exposes").endpoints.is_empty());
}

#[test]
fn renders_the_same_bytes_twice() {
    let context = compose_context("worker", "octopus");
    assert_eq!(render::<CeleryWorker>(&config(), &context), render::<CeleryWorker>(&config(), &context));
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let http = endpoint("web", "web", "web", "http", 80, EndpointRole::Service);
    let config = json!({
        "broker": reference("web.http", &[http]),
        "broker-user": "a:b",
        "broker-password": secret("mq-password"),
        "broker-vhost": "a/b",
        "queues": ["ok", "not ok"],
        "concurrency": 0,
        "task": "log message",
        "image": "Octopus/Worker",
    });
    let errors = render::<CeleryWorker>(&config, &compose_context("worker", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn the_broker_is_one_amqp_endpoint() {
    let mut config = config();
    let two = [amqp(), PlacedEndpoint { host: "mq2".to_owned(), address: "10.0.0.2".to_owned(), ..amqp() }];
    config["broker"] = reference("mq.amqp", &two);
    let errors = render::<CeleryWorker>(&config, &compose_context("worker", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    assert_eq!(found, [("broker".to_owned(), "`mq.amqp` is 2 endpoints; a worker has one broker")]);
    config["broker"] = reference("mq.amqp", &[]);
    let errors = render::<CeleryWorker>(&config, &compose_context("worker", "octopus")).unwrap_err();
    assert_eq!(errors[0].message, "`mq.amqp` is not an endpoint");
}

#[test]
fn runs_only_in_a_compose_project() {
    let errors = render::<CeleryWorker>(&config(), &context("worker", &[("w1", "10.0.0.7")])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str(), e.help.as_deref())).collect();
    assert_eq!(
        found,
        [(
            String::new(),
            "the celery-worker plugin runs in a Compose project",
            Some("place it on the stack's Compose project: `on=\"<project>\"`")
        )]
    );
}

#[test]
fn the_password_must_be_a_secret() {
    let mut config = config();
    config["broker-password"] = json!("hunter2");
    let errors = render::<CeleryWorker>(&config, &compose_context("worker", "octopus")).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, ["broker-password"]);
}
