//! The nginx-gateway plugin's render logic, run natively.

use stackc_plugin_nginx_gateway::NginxGateway;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, endpoint, expose, reference, render, secret};
use stackc_plugin_sdk::{Artifact, Container, EndpointRole, ImageBuild};

fn route(target: &str, port: u16) -> Value {
    let (service, export) = target.split_once('.').expect("service.export");
    json!({ "to": reference(target, &[endpoint(service, service, service, export, port, EndpointRole::Service)]) })
}

fn config() -> Value {
    json!({
        "server-name": "octopus.example.org",
        "route": {
            "/": route("frontend.http", 8080),
            "/api/": route("backend.http", 8000),
        },
        "networks": ["frontend", "backend"],
    })
}

fn rendered(config: &Value) -> (ImageBuild, Container) {
    let artifacts = render::<NginxGateway>(config, &compose_context("gateway", "octopus")).expect("renders");
    let [Artifact::ImageBuild(build), Artifact::Container(container)] = artifacts.as_slice() else {
        panic!("expected an image build and a container: {artifacts:?}");
    };
    (build.clone(), container.clone())
}

fn template(container: &Container) -> &str {
    let file = container
        .files
        .iter()
        .find(|f| f.path == "/etc/nginx/templates/default.conf.template")
        .expect("the server template");
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

fn dockerfile(build: &ImageBuild) -> &str {
    let file = build.files.iter().find(|f| f.path == "Dockerfile").expect("a Dockerfile");
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

fn problems(config: &Value) -> Vec<(String, String)> {
    let errors = render::<NginxGateway>(config, &compose_context("gateway", "octopus")).expect_err("refused");
    errors.into_iter().map(|e| (e.path.join("."), e.message)).collect()
}

#[test]
fn an_image_build_with_a_certificate_and_a_container_running_it() {
    let (build, container) = rendered(&config());
    assert_eq!(build.name, "gateway");
    assert_eq!(build.files.len(), 1, "the build context is the Dockerfile alone");
    insta::assert_snapshot!("dockerfile", dockerfile(&build));
    assert_eq!(container.name, "gateway");
    assert_eq!(container.image, "test/gateway:local");
    assert_eq!(container.build.as_deref(), Some("gateway"));
    assert_eq!(container.user, "101:101");
    assert_eq!(container.networks, ["frontend", "backend"]);
    let ports: Vec<(Option<&str>, u16, u16, &str)> = container
        .ports
        .iter()
        .map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port, p.protocol.as_str()))
        .collect();
    assert_eq!(ports, [(None, 443, 8443, "tcp"), (None, 80, 8080, "tcp")]);
    assert!(container.secret_files.is_empty());
    let health = container.healthcheck.as_ref().expect("a healthcheck");
    assert_eq!(health.command, ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/"]);
}

#[test]
fn upstream_addresses_come_from_the_environment_the_references_fill_in() {
    let (_, container) = rendered(&config());
    let environment: Vec<(&str, &str)> =
        container.environment.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    assert_eq!(
        environment,
        [
            ("NGINX_ENVSUBST_FILTER", "^UPSTREAM_"),
            ("UPSTREAM_BACKEND", "backend:8000"),
            ("UPSTREAM_FRONTEND", "frontend:8080"),
        ]
    );
    let template = template(&container);
    assert!(template.contains("    server ${UPSTREAM_BACKEND} max_fails=1"), "{template}");
    assert!(template.contains("    server ${UPSTREAM_FRONTEND} max_fails=1"), "{template}");
    // No address is written into the template itself.
    assert!(!template.contains("backend:8000") && !template.contains("frontend:8080"), "{template}");
    insta::assert_snapshot!("template", template);
}

#[test]
fn every_dollar_of_the_template_is_nginx_s_or_an_upstream_variable() {
    let (_, container) = rendered(&config());
    let template = template(&container);
    for (i, _) in template.match_indices('$') {
        let rest = &template[i + 1..];
        if let Some(braced) = rest.strip_prefix('{') {
            let name = braced.split('}').next().unwrap_or_default();
            assert!(
                container.environment.iter().any(|(variable, _)| variable == name) && name.starts_with("UPSTREAM_"),
                "`${{{name}}}` would not be filled in"
            );
        } else {
            // nginx's own: lower case, which the filter leaves alone.
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            assert!(!name.is_empty() && name.chars().all(|c| !c.is_ascii_uppercase()), "`${name}` in:\n{template}");
        }
    }
}

#[test]
fn ports_certificate_secrets_and_a_second_export_of_one_service() {
    let mut config = config();
    config["https-port"] = json!(8443);
    config["http-port"] = json!(8000);
    config["certificate"] = secret("gateway-certificate");
    config["key"] = secret("gateway-key");
    config["route"]["/metrics"] = route("backend.metrics", 8000);
    let (build, container) = rendered(&config);
    let ports: Vec<(u16, u16)> = container.ports.iter().map(|p| (p.host_port, p.container_port)).collect();
    assert_eq!(ports, [(8443, 8443), (8000, 8080)]);
    let secrets: Vec<(&str, &str)> =
        container.secret_files.iter().map(|f| (f.path.as_str(), f.secret.as_str())).collect();
    assert_eq!(
        secrets,
        [("/etc/nginx/tls/server.crt", "gateway-certificate"), ("/etc/nginx/tls/server.key", "gateway-key")]
    );
    assert!(dockerfile(&build).contains("Compose mounts over this pair"));
    let names: Vec<&str> = container.environment.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["NGINX_ENVSUBST_FILTER", "UPSTREAM_BACKEND_HTTP", "UPSTREAM_BACKEND_METRICS", "UPSTREAM_FRONTEND"]
    );
    let template = template(&container);
    assert!(template.contains("return 301 https://$host:8443$request_uri;"), "{template}");
    assert!(template.contains("proxy_set_header X-Forwarded-Port 8443;"), "{template}");
    assert!(template.contains("    location /metrics {\n        proxy_pass http://backend_metrics;"), "{template}");
    assert!(template.contains("    location /api/ {\n        proxy_pass http://backend_http;"), "{template}");
}

#[test]
fn exports_https_and_http() {
    let exports = expose::<NginxGateway>("gateway", &config()).expect("exposes");
    let found: Vec<(&str, u16, &str)> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.protocol.as_str())).collect();
    assert_eq!(found, [("https", 8443, "https"), ("http", 8080, "http")]);
}

#[test]
fn renders_the_same_bytes_twice() {
    assert_eq!(rendered(&config()), rendered(&config()));
}

#[test]
fn outside_a_compose_project_it_says_where_it_runs() {
    let errors = render::<NginxGateway>(&config(), &context("gateway", &[("h1", "10.0.0.1")])).expect_err("refused");
    assert_eq!(errors[0].message, "an nginx gateway runs in a Compose project");
    assert_eq!(errors[0].help.as_deref(), Some("place it on the stack's Compose project: `on=\"<project>\"`"));
}

#[test]
fn bad_names_paths_ports_and_half_a_certificate_are_errors_at_their_keys() {
    let mut config = config();
    config["server-name"] = json!("octopus example");
    config["route"]["/a b"] = route("frontend.http", 8080);
    config["route"]["api"] = route("backend.http", 8000);
    config["http-port"] = json!(443);
    config["key"] = secret("gateway-key");
    assert_eq!(
        problems(&config),
        [
            ("server-name".to_owned(), "`octopus example` is not a DNS name".to_owned()),
            ("route./a b".to_owned(), "`/a b` is not a URL path prefix".to_owned()),
            ("route.api".to_owned(), "`api` is not a URL path prefix".to_owned()),
            ("http-port".to_owned(), "HTTPS is published on port 443 already".to_owned()),
            ("key".to_owned(), "a key without its certificate".to_owned()),
        ]
    );
}

#[test]
fn a_route_to_something_not_http_is_an_error_at_its_reference() {
    let mut config = config();
    config["route"]["/api/"]["to"]["endpoints"][0]["protocol"] = json!("postgresql");
    assert_eq!(problems(&config), [("route./api/.to".to_owned(), "`backend.http` is not an http endpoint".to_owned())]);
}

#[test]
fn a_gateway_without_routes_is_an_error() {
    let mut config = config();
    config["route"] = json!({});
    assert_eq!(problems(&config), [("route".to_owned(), "the gateway has no routes".to_owned())]);
}
