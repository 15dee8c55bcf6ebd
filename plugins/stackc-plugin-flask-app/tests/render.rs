//! The flask-app plugin's render logic, run natively.

use stackc_plugin_flask_app::FlaskApp;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, endpoint, reference, render, secret};
use stackc_plugin_sdk::{Artifact, EndpointRole};

fn config() -> Value {
    let db = [endpoint("db", "db", "db", "postgres", 5432, EndpointRole::Service)];
    let cache = [endpoint("cache", "cache", "cache", "redis", 6379, EndpointRole::Service)];
    let mut db_ref = reference("db.postgres", &db);
    db_ref["endpoints"][0]["protocol"] = json!("postgresql");
    let mut cache_ref = reference("cache.redis", &cache);
    cache_ref["endpoints"][0]["protocol"] = json!("redis");
    json!({
        "database": db_ref,
        "database-name": "octopus",
        "database-user": "octopus",
        "database-password": secret("db-password"),
        "cache": cache_ref,
        "cache-password": secret("redis-password"),
        "networks": ["backend", "data"],
    })
}

#[test]
fn an_image_build_and_its_container() {
    let artifacts = render::<FlaskApp>(&config(), &compose_context("backend", "octopus")).expect("renders");
    let [Artifact::ImageBuild(build), Artifact::Container(container)] = artifacts.as_slice() else {
        panic!("expected an image build and a container: {artifacts:?}");
    };
    assert_eq!(build.name, "backend");
    let dockerfile = build.files.iter().find(|f| f.path == "Dockerfile").expect("a Dockerfile");
    insta::assert_snapshot!(String::from_utf8_lossy(&dockerfile.contents));
    assert_eq!(container.name, "backend");
    assert_eq!(container.build.as_deref(), Some("backend"));
    assert_eq!(container.user, "10001:10001");
    assert_eq!(container.networks, ["backend", "data"]);
    insta::assert_debug_snapshot!((&container.environment, &container.secret_environment));
    // Passwords are secret references, never values.
    assert!(container.environment.iter().all(|(name, _)| !name.contains("PASSWORD")));
}

#[test]
fn outside_a_compose_project_it_says_where_it_runs() {
    let errors = render::<FlaskApp>(&config(), &context("backend", &[("h1", "10.0.0.1")])).expect_err("refused");
    assert_eq!(errors[0].message, "the Flask API runs in a Compose project");
}

#[test]
fn a_reference_to_the_wrong_kind_of_server_is_an_error_at_its_key() {
    let mut config = config();
    config["cache"]["endpoints"][0]["protocol"] = json!("http");
    config["workers"] = json!(0);
    let errors = render::<FlaskApp>(&config, &compose_context("backend", "octopus")).expect_err("refused");
    let found: Vec<(&[String], &str)> = errors.iter().map(|e| (e.path.as_slice(), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (&["cache".to_owned()][..], "`cache.redis` is not a redis endpoint"),
            (&["workers".to_owned()][..], "gunicorn needs at least one worker"),
        ]
    );
}
