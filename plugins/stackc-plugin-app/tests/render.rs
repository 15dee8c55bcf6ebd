//! The app plugin's render logic, run natively.

use stackc_plugin_app::App;
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{compose_context, context, expose, host_file, render};
use stackc_plugin_sdk::{Artifact, BundleFile, EndpointRole, Supervisor};

fn config() -> Value {
    json!({
        "runtime": "node",
        "source": {
            "server.js": "require('node:http').createServer().listen(process.env.PORT);\n",
            "package.json": "{\"name\": \"api\"}\n",
        },
        "main": "server.js",
        "port": 8080,
        "health": "/health",
        "metrics": "/metrics",
        "image": "registry.gitlab.com/acme/api-ha/api",
        "pipeline": {"stack-file": "stacks/api-ha.kdl"},
    })
}

fn hosts() -> stackc_plugin_sdk::RenderContext {
    context("api", &[("api1", "10.30.0.21"), ("api2", "10.30.0.22")])
}

fn bundle_file<'a>(artifacts: &'a [Artifact], path: &str) -> &'a str {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::BundleFile(f) if f.path == path => Some(std::str::from_utf8(&f.contents).expect("UTF-8")),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no bundle file `{path}`"))
}

/// (error path, message) pairs, for comparing.
fn found(errors: &[stackc_plugin_sdk::ConfigError]) -> Vec<(String, String)> {
    errors.iter().map(|e| (e.path.join("."), e.message.clone())).collect()
}

#[test]
fn on_hosts_node_runs_the_source_as_the_services_user_on_each_hosts_address() {
    let artifacts = render::<App>(&config(), &hosts()).expect("renders");
    assert!(artifacts.contains(&Artifact::package("nodejs")), "{artifacts:?}");
    assert!(host_file(&artifacts, "api1", "/opt/api/server.js").contains("createServer"));
    assert!(host_file(&artifacts, "api2", "/opt/api/package.json").contains("\"api\""));
    insta::assert_snapshot!(host_file(&artifacts, "api2", "/etc/systemd/system/api.service.d/listen.conf"));
    assert!(host_file(&artifacts, "api1", "/etc/systemd/system/api.service.d/listen.conf").contains("HOST=10.30.0.21"));

    let process =
        artifacts.iter().find_map(|a| if let Artifact::Process(p) = a { Some(p) } else { None }).expect("a process");
    assert_eq!(process.name, "api");
    assert_eq!(process.user, "api");
    assert_eq!(process.command, ["/usr/bin/node", "/opt/api/server.js"]);
    assert_eq!(process.working_directory, "/var/lib/api");
    assert_eq!(process.supervisor, Supervisor::Systemd);
    assert!(process.environment.contains(&("PORT".to_owned(), "8080".to_owned())), "{process:?}");

    let checks: Vec<(&str, u16)> = artifacts
        .iter()
        .filter_map(|a| if let Artifact::HttpCheck(c) = a { Some((c.url.as_str(), c.status)) } else { None })
        .collect();
    assert_eq!(checks, [("http://10.30.0.21:8080/health", 200), ("http://10.30.0.22:8080/health", 200)]);
    // No container artifacts on hosts.
    assert!(!artifacts.iter().any(|a| matches!(a, Artifact::Container(_) | Artifact::ImageBuild(_))));
}

#[test]
fn both_placements_carry_the_image_build_context_and_the_pipeline() {
    for context in [hosts(), compose_context("api", "shop")] {
        let artifacts = render::<App>(&config(), &context).expect("renders");
        let dockerfile = bundle_file(&artifacts, "image/Dockerfile");
        insta::assert_snapshot!("dockerfile", dockerfile);
        assert!(bundle_file(&artifacts, "image/.dockerignore").contains("node_modules"));
        assert!(bundle_file(&artifacts, "image/server.js").contains("createServer"));
        insta::assert_snapshot!("pipeline", bundle_file(&artifacts, ".gitlab-ci.yml"));
    }
}

#[test]
fn a_lockfile_installs_production_dependencies_in_the_first_stage() {
    let mut config = config();
    config["source"]["package-lock.json"] = json!("{\"lockfileVersion\": 3}\n");
    let artifacts = render::<App>(&config, &hosts()).expect("renders");
    let dockerfile = bundle_file(&artifacts, "image/Dockerfile");
    assert!(dockerfile.contains("\nRUN npm ci --omit=dev && npm cache clean --force\n"), "{dockerfile}");
    let without = render::<App>(&self::config(), &hosts()).expect("renders");
    assert!(!bundle_file(&without, "image/Dockerfile").contains("npm ci"));
}

#[test]
fn in_a_compose_project_the_built_image_runs_as_node() {
    let mut config = config();
    config["networks"] = json!(["backend"]);
    let artifacts = render::<App>(&config, &compose_context("api", "shop")).expect("renders");
    let build = artifacts
        .iter()
        .find_map(|a| if let Artifact::ImageBuild(b) = a { Some(b) } else { None })
        .expect("an image build");
    let paths: Vec<&str> = build.files.iter().map(|f: &BundleFile| f.path.as_str()).collect();
    assert_eq!(paths, ["Dockerfile", ".dockerignore", "package.json", "server.js"]);
    let container = stackc_plugin_sdk::testing::container(&artifacts, "api");
    assert_eq!(container.build.as_deref(), Some("api"));
    assert_eq!(container.image, "registry.gitlab.com/acme/api-ha/api:local");
    assert_eq!(container.user, "1000:1000");
    assert_eq!(container.networks, ["backend"]);
    let health = container.healthcheck.as_ref().expect("a healthcheck");
    assert_eq!(health.command[..2], ["node", "-e"]);
    assert!(health.command[2].contains("http://127.0.0.1:8080/health"), "{health:?}");
    // Nothing for hosts.
    assert!(
        !artifacts.iter().any(|a| matches!(a, Artifact::Process(_) | Artifact::HostFile(_) | Artifact::Package(_)))
    );
}

#[test]
fn exports_http_and_metrics_when_asked() {
    let exports = expose::<App>("api", &config()).expect("exposes");
    let found: Vec<(&str, &str, EndpointRole)> =
        exports.endpoints.iter().map(|e| (e.name.as_str(), e.path.as_str(), e.role)).collect();
    assert_eq!(found, [("http", "/", EndpointRole::Service), ("metrics", "/metrics", EndpointRole::Metrics)]);
    let mut config = config();
    config.as_object_mut().expect("a map").remove("metrics");
    assert_eq!(expose::<App>("api", &config).expect("exposes").endpoints.len(), 1);
}

/// A FastAPI application in the cluster: its image and its pipeline.
fn python_config() -> Value {
    json!({
        "runtime": "python",
        "source": {
            "requirements.txt": "fastapi==0.115.6\nuvicorn==0.34.0\n",
            "tasktracker/__init__.py": "",
            "tasktracker/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        },
        "main": "tasktracker.main:app",
        "port": 8000,
        "health": "/healthz",
        "image": "registry.example.org:5000/tasktracker/api",
        "pipeline": {
            "stack-file": "stacks/tasktracker.kdl",
            "test": "python -m pytest -q",
            "tag-param": "api_tag",
            "apply": ["api"],
        },
    })
}

#[test]
fn in_the_cluster_it_is_its_image_and_a_pipeline_that_applies_with_kubectl() {
    let artifacts = render::<App>(&python_config(), &context("api-image", &[])).expect("renders");
    assert!(
        artifacts.iter().all(|a| matches!(a, Artifact::BundleFile(_))),
        "in the cluster an app runs nothing itself: {artifacts:?}"
    );
    insta::assert_snapshot!("python_dockerfile", bundle_file(&artifacts, "image/Dockerfile"));
    insta::assert_snapshot!("cluster_pipeline", bundle_file(&artifacts, ".gitlab-ci.yml"));
    assert!(bundle_file(&artifacts, "image/tasktracker/main.py").contains("FastAPI()"));
}

#[test]
fn a_python_app_runs_in_containers_and_names_its_application() {
    let mut config = python_config();
    config["main"] = json!("tasktracker/main.py");
    config["source"].as_object_mut().expect("a map").remove("requirements.txt");
    config["pipeline"]["apply"] = json!(["API"]);
    config["pipeline"]["test"] = json!("pytest\nrm -rf /");
    let errors = render::<App>(&config, &hosts()).expect_err("refused");
    assert_eq!(
        found(&errors),
        [
            ("runtime".to_owned(), "a Python app runs in containers, not on hosts".to_owned()),
            ("main".to_owned(), "`tasktracker/main.py` does not name an application".to_owned()),
            ("source".to_owned(), "a Python app's source needs a `requirements.txt`".to_owned()),
            (
                "pipeline.apply".to_owned(),
                "only the pipeline of an app in the cluster applies kustomizations".to_owned()
            ),
            ("pipeline.apply.0".to_owned(), "`API` cannot name a service with Kubernetes objects".to_owned()),
            ("pipeline.test".to_owned(), "the test command is one line".to_owned()),
        ]
    );
    let mut config = python_config();
    config["pipeline"]["apply"] = json!([]);
    let errors = render::<App>(&config, &context("api-image", &[])).expect_err("refused");
    assert_eq!(
        found(&errors),
        [(
            "pipeline".to_owned(),
            "the pipeline of an app in the cluster deploys with kubectl, but applies nothing".to_owned()
        )]
    );
}

#[test]
fn config_errors_point_at_their_keys() {
    let mut config = config();
    config["main"] = json!("index.js");
    config["port"] = json!(80);
    config["health"] = json!("health");
    config["metrics"] = json!("/metrics?x=\"1\"");
    config["image"] = json!("registry.gitlab.com/acme/api:1.0");
    config["pipeline"]["stack-file"] = json!("../stack.kdl");
    config["networks"] = json!(["backend"]);
    let errors = render::<App>(&config, &hosts()).expect_err("refused");
    assert_eq!(
        found(&errors),
        [
            ("main".to_owned(), "`index.js` is not a file of the source".to_owned()),
            ("port".to_owned(), "an unprivileged process listens on port 1024 or above".to_owned()),
            ("health".to_owned(), "`health` is not a URL path".to_owned()),
            ("metrics".to_owned(), "`/metrics?x=\"1\"` is not a URL path".to_owned()),
            ("image".to_owned(), "`registry.gitlab.com/acme/api:1.0` has a tag".to_owned()),
            ("pipeline.stack-file".to_owned(), "`../stack.kdl` is not a path in the repository".to_owned()),
            ("networks".to_owned(), "networks are for a service of a Compose project".to_owned()),
        ]
    );
    assert_eq!(errors[0].help.as_deref(), Some("the source has: package.json, server.js"));
}

#[test]
fn a_pipeline_needs_an_image_name_and_an_unknown_key_is_named() {
    let mut config = config();
    config.as_object_mut().expect("a map").remove("image");
    let errors = render::<App>(&config, &hosts()).expect_err("refused");
    assert_eq!(
        found(&errors),
        [("pipeline".to_owned(), "the pipeline pushes the image, which has no name".to_owned())]
    );

    let mut config = self::config();
    config["pipeline"]["stak-file"] = json!("stacks/api-ha.kdl");
    let errors = render::<App>(&config, &hosts()).expect_err("refused");
    assert_eq!(errors[0].path, ["pipeline", "stak-file"]);
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `stack-file`?"));
}

#[test]
fn the_service_name_must_make_a_user() {
    let errors = render::<App>(&config(), &context("root", &[("h1", "10.0.0.1")])).expect_err("refused");
    assert_eq!(found(&errors), [(String::new(), "`root` cannot name the user the application runs as".to_owned())]);
}
