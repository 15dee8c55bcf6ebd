//! The exporter plugin's render logic, run natively.

use stackc_plugin_exporter::Exporter;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole};

fn server(service: &str, export: &str, port: u16, protocol: &str) -> Value {
    let mut r = reference(
        &format!("{service}.{export}"),
        &[endpoint(service, service, service, export, port, EndpointRole::Service)],
    );
    r["endpoints"][0]["protocol"] = json!(protocol);
    r
}

fn container(config: &Value) -> Container {
    let artifacts = render::<Exporter>(config, &compose_context("exporter", "shop")).expect("renders");
    match artifacts.as_slice() {
        [Artifact::Container(c)] => c.clone(),
        other => panic!("expected one container: {other:?}"),
    }
}

#[test]
fn postgres_exporter() {
    let c = container(&json!({
        "postgres": server("db", "postgres", 5432, "postgresql"),
        "user": "octopus",
        "database": "octopus",
        "password": secret("db-password"),
        "networks": ["data", "monitoring"],
    }));
    assert_eq!(c.image, "quay.io/prometheuscommunity/postgres-exporter:v0.16.0");
    assert_eq!(c.user, "65534:65534");
    insta::assert_debug_snapshot!((&c.environment, &c.secret_environment, &c.networks));
    let exports = expose::<Exporter>(
        "exporter",
        &json!({"postgres": server("db", "postgres", 5432, "postgresql"), "password": secret("p")}),
    )
    .expect("exposes");
    assert_eq!(exports.endpoints[0].port, 9187);
}

#[test]
fn redis_exporter() {
    let c = container(&json!({"redis": server("cache", "redis", 6379, "redis"), "password": secret("redis-password")}));
    assert_eq!(c.environment, [("REDIS_ADDR".to_owned(), "redis://cache:6379".to_owned())]);
    assert_eq!(c.secret_environment, [("REDIS_PASSWORD".to_owned(), "redis-password".to_owned())]);
    assert!(c.healthcheck.is_none());
}

#[test]
fn one_server_of_the_right_kind() {
    let both = json!({
        "postgres": server("db", "postgres", 5432, "postgresql"),
        "redis": server("cache", "redis", 6379, "redis"),
        "password": secret("p"),
    });
    let errors = render::<Exporter>(&both, &compose_context("x", "shop")).expect_err("refused");
    assert_eq!(errors[0].message, "an exporter reports on one server");
    let wrong = json!({"redis": server("db", "postgres", 5432, "postgresql"), "password": secret("p"), "user": "u"});
    let errors = render::<Exporter>(&wrong, &compose_context("x", "shop")).expect_err("refused");
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["`db.postgres` is not a redis endpoint", "`user` is for a PostgreSQL server"]);
}
