//! The redis plugin's render logic, run natively.

use stackc_plugin_redis::Redis;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, expose, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole, Volume};

fn config() -> Value {
    json!({
        "networks": ["data", "backend"],
        "password": secret("cache-password"),
        "maxmemory": "256mb",
        "maxmemory-policy": "allkeys-lru",
    })
}

fn container<'a>(artifacts: &'a [Artifact], name: &str) -> &'a Container {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::Container(c) if c.name == name => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no container `{name}`"))
}

fn file<'a>(container: &'a Container, path: &str) -> &'a str {
    let file = container.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"));
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

/// Everything about the container but its files' contents, which have snapshots of their own.
fn outline(container: &Container) -> String {
    let mut text = format!("image: {}\nuser: {}\n", container.image, container.user);
    text.push_str(&format!("entrypoint: {:?}\ncommand: {:?}\n", container.entrypoint, container.command));
    for (name, value) in &container.environment {
        text.push_str(&format!("env {name}={value}\n"));
    }
    for (name, secret) in &container.secret_environment {
        text.push_str(&format!("secret env {name} <- {secret}\n"));
    }
    for f in &container.files {
        text.push_str(&format!("file {} ({:o})\n", f.path, f.mode));
    }
    for f in &container.secret_files {
        text.push_str(&format!("secret file {} <- {}\n", f.path, f.secret));
    }
    for v in &container.volumes {
        text.push_str(&format!("volume {} at {} (read-only {})\n", v.volume, v.target, v.read_only));
    }
    text.push_str(&format!("networks: {:?}\nports: {:?}\n", container.networks, container.ports));
    text.push_str(&format!("healthcheck: {:?}\nrestart: {:?}\n", container.healthcheck, container.restart));
    text
}

#[test]
fn a_standalone_server_with_a_password_and_an_append_only_file() {
    let artifacts = render::<Redis>(&config(), &compose_context("cache", "octopus")).expect("renders");
    let cache = container(&artifacts, "cache");
    insta::assert_snapshot!("container", outline(cache));
    insta::assert_snapshot!("redis_conf", file(cache, "/usr/local/etc/redis/redis.conf"));
    insta::assert_snapshot!("start_redis_sh", file(cache, "/usr/local/etc/redis/start-redis.sh"));
    assert!(artifacts.contains(&Volume::new("cache-data").into()));
    assert_eq!(artifacts.len(), 2, "a container and its volume: {artifacts:?}");
}

#[test]
fn defaults_evict_nothing_and_publish_nothing() {
    let artifacts =
        render::<Redis>(&json!({"password": secret("p")}), &compose_context("cache", "octopus")).expect("renders");
    let cache = container(&artifacts, "cache");
    let conf = file(cache, "/usr/local/etc/redis/redis.conf");
    assert!(conf.contains("\nmaxmemory-policy noeviction\n"), "{conf}");
    assert!(!conf.contains("\nmaxmemory "), "{conf}");
    assert!(conf.contains("\nappendonly yes\nappendfsync everysec\n"), "{conf}");
    assert!(cache.ports.is_empty());
    assert!(cache.networks.is_empty());
    assert_eq!(cache.image, "redis:7-bookworm");
}

#[test]
fn publishes_when_asked() {
    let config = json!({"password": secret("p"), "publish": 16379, "publish-address": "127.0.0.1"});
    let artifacts = render::<Redis>(&config, &compose_context("cache", "octopus")).expect("renders");
    let ports: Vec<_> = container(&artifacts, "cache")
        .ports
        .iter()
        .map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port, p.protocol.as_str()))
        .collect();
    assert_eq!(ports, [(Some("127.0.0.1"), 16379, 6379, "tcp")]);
}

#[test]
fn renders_the_same_bytes_twice() {
    let context = compose_context("cache", "octopus");
    assert_eq!(render::<Redis>(&config(), &context), render::<Redis>(&config(), &context));
}

#[test]
fn exports_the_server() {
    let exports = expose::<Redis>("cache", &config()).expect("exposes");
    let endpoints: Vec<_> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.protocol.as_str(), e.role)).collect();
    assert_eq!(endpoints, [("redis", 6379, "redis", EndpointRole::Service)]);
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "password": secret("p"),
        "networks": "Bad Net",
        "maxmemory": "lots",
        "publish-address": "127.0.0.1",
        "image": "",
    });
    let errors = render::<Redis>(&config, &compose_context("cache", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn unknown_policies_and_a_missing_password_are_errors() {
    let errors =
        render::<Redis>(&json!({"maxmemory-policy": "lru-all"}), &compose_context("cache", "octopus")).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str(), e.help.as_deref())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn it_runs_in_a_compose_project_only() {
    let errors = render::<Redis>(&config(), &context("cache", &[("cache1", "10.0.0.6")])).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "the redis plugin runs in a Compose project");
    assert_eq!(errors[0].help.as_deref(), Some("place it on the stack's Compose project: `on=\"<project>\"`"));
}
