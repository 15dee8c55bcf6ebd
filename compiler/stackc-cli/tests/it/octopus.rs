//! `stacks/octopus.kdl` (S2 of the seed requirements): a Compose platform, checked item by
//! item against the real Compose binary, its JSON Schema and hadolint. There is no Docker
//! engine here, so the services themselves run from the generated configuration with Debian's
//! packages in the plugins' own tests (`compose_data.rs`, `compose_queue.rs`,
//! `compose_web.rs`); this module checks the project they make up.
//!
//! The project is read as Compose itself reads it: `docker-compose config --format json`
//! with a `.env` made from the bundle's `.env.example`, values filled in by the test.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{Scratch, files_under, stackc, tool, workspace};

const STACK: &str = "stacks/octopus.kdl";

/// Values the test gives the secrets: they must never reach the bundle.
const SENTINEL: &str = "sentinel-value-that-must-not-leak";

/// The bundle, built once, with every secret variable set in stackc's own environment (a
/// build must not read them), and the project as Compose reads it.
struct Octopus {
    _scratch: Scratch,
    bundle: PathBuf,
    project: Value,
}

fn octopus() -> &'static Octopus {
    static OCTOPUS: OnceLock<Octopus> = OnceLock::new();
    OCTOPUS.get_or_init(|| {
        let scratch = Scratch::new();
        let out = scratch.path().join("out");
        let mut command = stackc();
        command.current_dir(workspace()).args(["build", "--locked", STACK, "--out"]).arg(&out);
        for variable in secret_variables() {
            command.env(variable, SENTINEL);
        }
        let output = command.output().expect("run stackc");
        assert!(output.status.success(), "stackc build failed:\n{}", crate::common::render(&output, &[]));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout.lines().find_map(|l| l.strip_prefix("bundle ")).expect("a `bundle` line");
        let dir = line.rsplit_once(" (").map_or(line, |(dir, _)| dir);
        let bundle = fs::canonicalize(workspace().join(dir)).expect("bundle directory");
        let compose = bundle.join("compose");
        let filled = env_from_example(&compose, |variable| format!("test-{}", variable.to_lowercase()));
        fs::write(compose.join(".env"), filled).expect("write .env");
        let output = compose_command(&compose).args(["config", "--format", "json"]).output().expect("docker-compose");
        let text = ok(&output, "docker-compose config");
        let project = serde_json::from_str(&text).expect("Compose's JSON");
        fs::remove_file(compose.join(".env")).expect("remove .env");
        Octopus { _scratch: scratch, bundle, project }
    })
}

/// A `.env` from the bundle's `.env.example`: each variable it names, with `value(variable)`.
fn env_from_example(compose: &Path, value: impl Fn(&str) -> String) -> String {
    let example = fs::read_to_string(compose.join(".env.example")).expect(".env.example");
    let variables = example.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.strip_suffix('='));
    variables.map(|variable| format!("{variable}={}\n", value(variable))).collect()
}

/// The variables the stack's secrets come from, as its `secret` declarations name them.
fn secret_variables() -> Vec<String> {
    let text = fs::read_to_string(workspace().join(STACK)).expect("the stack");
    let pattern = regex::Regex::new(r#"(?m)^secret "[^"]+" env="([A-Z0-9_]+)""#).expect("regex");
    pattern.captures_iter(&text).map(|c| c[1].to_owned()).collect()
}

fn compose_command(dir: &Path) -> Command {
    let mut command = Command::new(tool("docker-compose"));
    command.current_dir(dir).args(["-f", "compose.yml"]);
    command
}

fn ok(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{what} failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn services() -> &'static serde_json::Map<String, Value> {
    octopus().project["services"].as_object().expect("services")
}

fn service(name: &str) -> &'static Value {
    services().get(name).unwrap_or_else(|| panic!("no service `{name}` in the project"))
}

fn networks_of(name: &str) -> BTreeSet<String> {
    service(name)["networks"].as_object().map(|n| n.keys().cloned().collect()).unwrap_or_default()
}

fn environment(name: &str) -> BTreeMap<String, String> {
    service(name)["environment"]
        .as_object()
        .map(|env| env.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

fn internal(network: &str) -> bool {
    octopus().project["networks"][network]["internal"].as_bool().unwrap_or(false)
}

/// Every Dockerfile of the bundle's build contexts.
fn dockerfiles() -> Vec<PathBuf> {
    let build = octopus().bundle.join("compose/build");
    files_under(&build, &[]).into_iter().filter(|p| p.ends_with("/Dockerfile")).map(|p| build.join(p)).collect()
}

#[test]
fn compose_accepts_the_project_and_so_does_its_schema() {
    let compose = octopus().bundle.join("compose");
    // `config -q` with the secrets' variables set, as `docker compose up` would run.
    let scratch = Scratch::new();
    let env_file = scratch.path().join(".env");
    fs::write(&env_file, env_from_example(&compose, |_| "x".to_owned())).expect(".env");
    let output = compose_command(&compose).arg("--env-file").arg(&env_file).args(["config", "-q"]).output();
    ok(&output.expect("docker-compose"), "docker-compose config -q");
    let output = Command::new(tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.compose-spec"])
        .arg(compose.join("compose.yml"))
        .output()
        .expect("check-jsonschema");
    ok(&output, "check-jsonschema vendor.compose-spec");
}

#[test]
fn s2_1_the_gateway_routes_to_frontend_and_backend_from_environment_variables() {
    let gateway = service("gateway");
    let published: Vec<u64> = gateway["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .filter_map(|p| p["published"].as_str()?.parse().ok())
        .collect();
    assert!(published.contains(&443), "the gateway publishes HTTPS: {published:?}");
    let env = environment("gateway");
    let upstreams: BTreeSet<&str> = env.values().map(String::as_str).collect();
    assert!(upstreams.contains("frontend:8080") && upstreams.contains("backend:8000"), "{env:?}");
    // The build makes the self-signed certificate.
    let dockerfile = fs::read_to_string(octopus().bundle.join("compose/build/gateway/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains("openssl req"), "{dockerfile}");
}

#[test]
fn s2_2_the_frontend_serves_the_pages_beside_the_stack_and_calls_the_api() {
    let pages = workspace().join("stacks/octopus/site");
    for page in ["index.html", "app.js", "style.css"] {
        let mounted = octopus().bundle.join("compose/files/frontend/usr/share/nginx/html").join(page);
        assert_eq!(fs::read(&mounted).expect("mounted page"), fs::read(pages.join(page)).expect("page"), "{page}");
    }
    let app = fs::read_to_string(pages.join("app.js")).expect("app.js");
    assert!(app.contains("fetch(\"/api/items\")"));
}

#[test]
fn s2_3_the_backend_reaches_postgres_and_redis_by_reference_with_secrets_from_the_environment() {
    let env = environment("backend");
    assert_eq!(env["DATABASE_HOST"], "db");
    assert_eq!(env["REDIS_HOST"], "cache");
    // Filled from .env when the project starts: here, the test's values.
    assert_eq!(env["DATABASE_PASSWORD"], "test-octopus_db_password");
    let compose = fs::read_to_string(octopus().bundle.join("compose/compose.yml")).expect("compose.yml");
    assert!(compose.contains("DATABASE_PASSWORD: \"${OCTOPUS_DB_PASSWORD:?"), "the password is not a reference");
    let depends = service("backend")["depends_on"].as_object().expect("depends_on");
    for (name, condition) in [("db", "service_healthy"), ("cache", "service_healthy")] {
        assert_eq!(depends[name]["condition"], condition, "backend waits for {name}");
    }
}

#[test]
fn s2_4_the_worker_takes_messages_from_rabbitmq() {
    let depends = service("worker")["depends_on"].as_object().expect("depends_on");
    assert!(depends.contains_key("mq"), "the worker starts after RabbitMQ");
    assert_eq!(networks_of("worker"), networks_of("mq").intersection(&networks_of("worker")).cloned().collect());
}

#[test]
fn s2_5_prometheus_scrapes_the_backend_the_worker_and_postgres_and_grafana_has_a_dashboard() {
    let config = fs::read_to_string(octopus().bundle.join("compose/files/prometheus/etc/prometheus/prometheus.yml"))
        .expect("config");
    for target in ["backend:8000", "db-exporter:9187", "cache-exporter:9121"] {
        assert!(config.contains(&format!("[\"{target}\"]")), "prometheus does not scrape {target}:\n{config}");
    }
    assert!(config.contains("job_name: \"worker"), "prometheus does not scrape the worker:\n{config}");
    // Prometheus shares a network with every target.
    let prometheus = networks_of("prometheus");
    for target in ["backend", "db-exporter", "cache-exporter", "worker"] {
        assert!(!prometheus.is_disjoint(&networks_of(target)), "prometheus cannot reach {target}");
    }
    let prometheus_dir = octopus().bundle.join("compose/files/prometheus/etc/prometheus");
    let output = Command::new(tool("promtool"))
        .args(["check", "config", "--syntax-only"])
        .arg(prometheus_dir.join("prometheus.yml"))
        .output()
        .expect("promtool");
    ok(&output, "promtool check config");
    // The alert rules' unit tests run from the bundle, reading the rules the container mounts.
    let output = Command::new(tool("promtool"))
        .current_dir(octopus().bundle.join("services/prometheus"))
        .args(["test", "rules", "rules_test.yml"])
        .output()
        .expect("promtool");
    ok(&output, "promtool test rules");
    // Every panel's expression is PromQL that promtool parses (as a recording rule).
    let board = octopus().bundle.join("compose/files/grafana/etc/grafana/dashboards/services.json");
    let board: Value = serde_json::from_str(&fs::read_to_string(board).expect("dashboard")).expect("JSON");
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, panel) in board["panels"].as_array().expect("panels").iter().enumerate() {
        let expr = panel["targets"][0]["expr"].as_str().expect("expr").replace("$job", ".+");
        rules.push_str(&format!(
            "      - record: panel_{i}\n        expr: {}\n",
            serde_json::to_string(&expr).expect("JSON")
        ));
    }
    let scratch = Scratch::new();
    fs::write(scratch.path().join("panels.yml"), rules).expect("rules");
    let output =
        Command::new(tool("promtool")).args(["check", "rules"]).arg(scratch.path().join("panels.yml")).output();
    ok(&output.expect("promtool"), "promtool check rules (dashboard expressions)");
    assert_eq!(board["title"], "Services");
}

#[test]
fn s2_6_postgres_and_redis_keep_data_in_volumes_and_the_replica_follows_the_primary() {
    for (name, target) in
        [("db", "/var/lib/postgresql/data"), ("db-replica", "/var/lib/postgresql/data"), ("cache", "/data")]
    {
        let volumes = service(name)["volumes"].as_array().expect("volumes");
        assert!(
            volumes
                .iter()
                .any(|v| v["type"] == "volume" && v["target"].as_str().is_some_and(|t| t.starts_with(target))),
            "{name} keeps no data in a volume"
        );
    }
    assert!(service("db-replica")["depends_on"].as_object().expect("depends_on").contains_key("db"));
}

#[test]
fn s2_7_images_are_multi_stage_run_as_non_root_and_pass_hadolint() {
    let dockerfiles = dockerfiles();
    assert!(dockerfiles.len() >= 3, "expected the backend's, the worker's and the gateway's: {dockerfiles:?}");
    for dockerfile in &dockerfiles {
        let text = fs::read_to_string(dockerfile).expect("Dockerfile");
        assert!(
            text.lines().filter(|l| l.starts_with("FROM ")).count() >= 2,
            "{} is single-stage",
            dockerfile.display()
        );
        let user = text.lines().rfind(|l| l.starts_with("USER ")).expect("a USER line");
        assert!(!user.contains("root") && !user.ends_with(" 0") && !user.contains(" 0:"), "{user}");
        let ignore = dockerfile.with_file_name(".dockerignore");
        assert!(fs::read_to_string(ignore).expect(".dockerignore").lines().any(|l| l == ".env"));
        let output = Command::new(tool("hadolint")).arg(dockerfile).output().expect("hadolint");
        ok(&output, &format!("hadolint {}", dockerfile.display()));
    }
    for (name, service) in services() {
        let user = service["user"].as_str().unwrap_or_default();
        let id = user.split(':').next().unwrap_or_default();
        assert!(!id.is_empty() && id != "root" && id != "0", "{name} runs as `{user}`");
    }
}

#[test]
fn s2_8_postgres_and_redis_sit_only_on_internal_networks() {
    for name in ["db", "db-replica", "cache"] {
        let networks = networks_of(name);
        assert!(!networks.is_empty() && networks.iter().all(|n| internal(n)), "{name} is on {networks:?}");
        assert!(service(name)["ports"].is_null(), "{name} publishes a port");
    }
    for network in ["frontend", "backend", "monitoring"] {
        assert!(octopus().project["networks"].get(network).is_some(), "no `{network}` network");
    }
}

#[test]
fn s2_9_secrets_are_listed_by_name_and_no_value_is_in_the_bundle() {
    let compose = octopus().bundle.join("compose");
    let example = fs::read_to_string(compose.join(".env.example")).expect(".env.example");
    let listed: BTreeSet<String> = example
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.strip_suffix('=').unwrap_or_else(|| panic!("`{l}` has a value")).to_owned())
        .collect();
    let declared: BTreeSet<String> = secret_variables().into_iter().collect();
    assert_eq!(listed, declared, ".env.example lists exactly the secrets the stack declares");
    assert!(fs::read_to_string(compose.join(".gitignore")).expect(".gitignore").lines().any(|l| l == ".env"));
    // stackc ran with every secret variable set to SENTINEL: no file may hold it, nor any
    // URL with a literal credential (code that puts one together from variables at run time,
    // `{user}:{password}@`, is not one).
    let credential = regex::Regex::new(r"://[^/\s:@{$]+:[^/\s@{$]+@").expect("regex");
    for path in files_under(&octopus().bundle, &[]) {
        let bytes = fs::read(octopus().bundle.join(&path)).expect("bundle file");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SENTINEL), "{path} holds a secret value");
        assert!(!credential.is_match(&text), "{path} holds a URL with a credential");
    }
}
