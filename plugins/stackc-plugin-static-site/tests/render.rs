//! The static-site plugin's render logic, run natively.

use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, expose, render};
use stackc_plugin_sdk::{Artifact, Container, ContainerFile};
use stackc_plugin_static_site::StaticSite;

fn config() -> Value {
    json!({
        "pages": {
            "index.html": "<!doctype html><title>octopus</title>\n",
            "css/site.css": "body { margin: 0 }\n",
        },
        "networks": "frontend",
    })
}

fn container(config: &Value) -> Container {
    let artifacts = render::<StaticSite>(config, &compose_context("frontend", "octopus")).expect("renders");
    let [Artifact::Container(container)] = artifacts.as_slice() else {
        panic!("expected one container: {artifacts:?}");
    };
    container.clone()
}

fn file<'a>(container: &'a Container, path: &str) -> &'a ContainerFile {
    container.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"))
}

fn text(file: &ContainerFile) -> &str {
    std::str::from_utf8(&file.contents).expect("UTF-8")
}

#[test]
fn one_container_of_the_stock_image_with_the_pages_and_the_server_mounted() {
    let container = container(&config());
    assert_eq!(container.name, "frontend");
    assert_eq!(container.image, "nginxinc/nginx-unprivileged:1.27-bookworm");
    assert_eq!(container.build, None);
    assert_eq!(container.user, "101:101");
    assert_eq!(container.networks, ["frontend"]);
    let paths: Vec<&str> = container.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/etc/nginx/conf.d/default.conf", "/usr/share/nginx/html/css/site.css", "/usr/share/nginx/html/index.html"]
    );
    assert_eq!(text(file(&container, "/usr/share/nginx/html/css/site.css")), "body { margin: 0 }\n");
    assert!(container.files.iter().all(|f| f.mode == 0o644));
    insta::assert_snapshot!("server", text(file(&container, "/etc/nginx/conf.d/default.conf")));
    let health = container.healthcheck.expect("a healthcheck");
    assert_eq!(health.command, ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/"]);
    assert!(container.ports.is_empty(), "a site behind a gateway publishes nothing");
}

#[test]
fn port_and_index_reach_the_server_config_and_the_export() {
    let mut config = config();
    config["port"] = json!(9090);
    config["index"] = json!("css/site.css");
    let container = container(&config);
    let server = text(file(&container, "/etc/nginx/conf.d/default.conf"));
    assert!(server.contains("    listen 9090;\n"), "{server}");
    assert!(server.contains("    index css/site.css;\n"), "{server}");
    assert!(server.contains("try_files $uri $uri/ /css/site.css;"), "{server}");
    assert_eq!(container.healthcheck.expect("healthcheck").command[4], "http://127.0.0.1:9090/");
    let exports = expose::<StaticSite>("site", &config).expect("exposes");
    let http: Vec<(&str, u16, &str, &str)> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.port, e.protocol.as_str(), e.path.as_str())).collect();
    assert_eq!(http, [("http", 9090, "http", "/")]);
}

#[test]
fn renders_the_same_bytes_twice() {
    assert_eq!(container(&config()), container(&config()));
}

#[test]
fn outside_a_compose_project_it_says_where_it_runs() {
    let errors = render::<StaticSite>(&config(), &context("frontend", &[("h1", "10.0.0.1")])).expect_err("refused");
    assert_eq!(errors[0].message, "a static site runs in a Compose project");
    assert_eq!(errors[0].help.as_deref(), Some("place it on the stack's Compose project: `on=\"<project>\"`"));
}

#[test]
fn page_paths_that_leave_the_root_are_errors_at_their_keys() {
    let config = json!({
        "pages": {
            "../etc/passwd": "x",
            "/abs.html": "x",
            "a//b.html": "x",
            "ok/./x.html": "x",
            "index.html": "x",
            "sub/page.html": "x",
        },
    });
    let errors = render::<StaticSite>(&config, &compose_context("frontend", "octopus")).expect_err("refused");
    let found: Vec<(Vec<&str>, &str)> =
        errors.iter().map(|e| (e.path.iter().map(String::as_str).collect(), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (vec!["pages", "../etc/passwd"], "`../etc/passwd` is not a relative page path"),
            (vec!["pages", "/abs.html"], "`/abs.html` is not a relative page path"),
            (vec!["pages", "a//b.html"], "`a//b.html` is not a relative page path"),
            (vec!["pages", "ok/./x.html"], "`ok/./x.html` is not a relative page path"),
        ]
    );
}

#[test]
fn a_missing_index_a_privileged_port_and_a_broken_policy_are_errors() {
    let mut config = config();
    config["index"] = json!("home.html");
    config["port"] = json!(80);
    config["content-security-policy"] = json!("default-src \"self\"");
    let errors = render::<StaticSite>(&config, &compose_context("frontend", "octopus")).expect_err("refused");
    let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.path[0].as_str(), e.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("index", "the site has no page `home.html`"),
            ("port", "the unprivileged nginx listens on port 1024 or above"),
            ("content-security-policy", "the policy must be one line without `\"`, `\\` or `$`"),
        ]
    );
}

#[test]
fn an_index_nginx_cannot_name_and_an_empty_site_are_errors() {
    let config = json!({ "pages": {}, "index": "my page.html" });
    let errors = render::<StaticSite>(&config, &compose_context("frontend", "octopus")).expect_err("refused");
    let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.path[0].as_str(), e.message.as_str())).collect();
    assert_eq!(
        found,
        [("pages", "the site has no pages"), ("index", "`my page.html` is not a page path nginx can name")]
    );
}
