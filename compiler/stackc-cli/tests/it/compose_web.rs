//! The web front of a Compose project, checked by the real consumers of what the `static-site`
//! and `nginx-gateway` plugins write: hadolint lints the gateway's Dockerfile, `nginx -t`
//! accepts both kinds of server config, and nginx runs a gateway and two sites on loopback,
//! queried with curl.
//!
//! The test stack is written to a scratch directory with the pages beside it. There is no
//! container engine here, so the test does what the image's entrypoint does: it fills in the
//! gateway's template with envsubst from the environment `compose.yml` gives the container (as
//! `docker-compose config` reads it), except that each upstream variable gets the loopback
//! address the test runs that service on, in place of its container name. That is the point of
//! the injection: the addresses are the environment's, not the template's.
//!
//! The containers' absolute paths (`/usr/share/nginx/html`, `/etc/nginx/tls`) are moved under a
//! temporary root per container, and a minimal main `nginx.conf` stands in for the image's.
//! Everything binds inside a private network namespace, so no port of the machine is used.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Cert, Scratch, copy_tree, hadolint, path_with, render, run, tool};

const SERVER_NAME: &str = "web.example.test";

const STACK: &str = r#"stack "web"

compose "t" {
    network "frontend"
    network "backend"
}

service "frontend" plugin="static-site" on="t" {
    pages (file)"site"
    networks "frontend"
}

// Stands in for an API: the gateway passes paths under /api/ on unchanged.
service "backend" plugin="static-site" on="t" {
    pages (file)"api"
    networks "backend"
}

service "gateway" plugin="nginx-gateway" on="t" {
    server-name "web.example.test"
    route "/" to=(ref)"frontend.http"
    route "/api/" to=(ref)"backend.http"
    networks "frontend" "backend"
}
"#;

const PAGES: [(&str, &str); 5] = [
    (
        "site/index.html",
        "<!doctype html>\n<title>web</title>\n<p>Served by the frontend</p>\n<script src=\"/app.js\"></script>\n",
    ),
    ("site/app.js", "fetch('/api/status.json').then((r) => r.json()).then(console.log);\n"),
    ("api/index.html", "<p>not an API page</p>\n"),
    ("api/api/index.html", "<p>Served by the backend</p>\n"),
    ("api/api/status.json", "{\"status\": \"ok\"}\n"),
];

/// Where each container listens in the test's network namespace.
const ADDRESSES: [(&str, &str); 3] = [("frontend", "127.0.0.2"), ("backend", "127.0.0.3"), ("gateway", "127.0.0.4")];

#[test]
fn hadolint_passes_the_gateway_dockerfile() {
    let project = Project::build();
    let dockerfile = project.compose.join("build/gateway/Dockerfile");
    let text = fs::read_to_string(&dockerfile).expect("the gateway's Dockerfile");
    assert!(!text.to_lowercase().contains("hadolint"), "the Dockerfile silences hadolint:\n{text}");
    // Two stages: the certificate is made in the first, the image runs unprivileged.
    assert_eq!(text.lines().filter(|l| l.starts_with("FROM ")).count(), 2, "{text}");
    let last_user = text.lines().filter_map(|l| l.strip_prefix("USER ")).next_back();
    assert_eq!(last_user, Some("101:101"), "{text}");
    let output = hadolint(&dockerfile, project.dir.path());
    assert!(
        output.status.success() && output.stdout.is_empty(),
        "hadolint found problems in the gateway's Dockerfile:\n{}\n{text}",
        render(&output, &[])
    );
    assert!(project.compose.join("build/gateway/.dockerignore").is_file(), "the build context has a .dockerignore");
}

#[test]
fn compose_runs_the_gateway_built_and_the_sites_as_the_nginx_user() {
    let project = Project::build();
    for (name, _) in ADDRESSES {
        let service = &project.config["services"][name];
        assert_eq!(service["user"], "101:101", "{name}: {service:#}");
        assert!(service["healthcheck"]["test"].to_string().contains("curl"), "{name}: {service:#}");
    }
    let gateway = &project.config["services"]["gateway"];
    assert_eq!(project.environment("gateway").get("UPSTREAM_FRONTEND").map(String::as_str), Some("frontend:8080"));
    assert_eq!(project.environment("gateway").get("UPSTREAM_BACKEND").map(String::as_str), Some("backend:8080"));
    assert!(gateway["build"]["context"].as_str().is_some_and(|c| c.ends_with("build/gateway")), "{gateway:#}");
    let published: Vec<(String, u64)> = gateway["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| (p["published"].as_str().unwrap_or_default().to_owned(), p["target"].as_u64().unwrap_or_default()))
        .collect();
    assert_eq!(published, [("443".to_owned(), 8443), ("80".to_owned(), 8080)]);
    // The gateway starts once both sites answer their healthchecks.
    for upstream in ["frontend", "backend"] {
        assert_eq!(gateway["depends_on"][upstream]["condition"], "service_healthy", "{gateway:#}");
    }
    let networks: Vec<&str> = gateway["networks"].as_object().expect("networks").keys().map(String::as_str).collect();
    assert_eq!(networks, ["backend", "frontend"]);
}

#[test]
fn nginx_accepts_both_server_configs() {
    let project = Project::build();
    let cert = Cert::new(project.dir.path(), SERVER_NAME);
    for (name, _) in ADDRESSES {
        let root = Root::new(&project, name, &cert, None);
        let output = run(Command::new(tool("unshare"))
            .arg("--net")
            .arg(tool("sh"))
            .arg("-c")
            .arg("ip link set lo up && exec \"$@\"")
            .arg("sh")
            .arg(tool("nginx"))
            .args(["-t", "-q", "-e", "stderr", "-p"])
            .arg(&root.dir)
            .arg("-c")
            .arg(root.dir.join("nginx.conf"))
            .env("PATH", path_with(&tool("ip"))));
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "nginx -t rejected the configuration of {name}:\n{}\n{}",
            render(&output, &[]),
            fs::read_to_string(root.dir.join("etc/nginx/conf.d/default.conf")).unwrap_or_default()
        );
    }
}

#[test]
fn the_gateway_serves_the_site_and_the_api_over_tls_and_redirects_http() {
    let project = Project::build();
    let deployment = Deployment::start(&project);

    let page = deployment.get("/");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("Served by the frontend"), "{page:?}");
    assert!(page.header("strict-transport-security").is_some_and(|h| h.starts_with("max-age=")), "{page:?}");
    // The site's own headers come through the gateway.
    assert_eq!(page.header("x-content-type-options").as_deref(), Some("nosniff"), "{page:?}");

    // A path that is no page gets the index: a single-page application's route.
    let route = deployment.get("/settings/profile");
    assert_eq!((route.status, route.body.as_str()), (200, page.body.as_str()), "{route:?}");

    let api = deployment.get("/api/");
    assert_eq!(api.status, 200, "{api:?}");
    assert!(api.body.contains("Served by the backend"), "{api:?}");
    let status = deployment.get("/api/status.json");
    assert_eq!((status.status, status.body.as_str()), (200, "{\"status\": \"ok\"}\n"), "{status:?}");
    assert_eq!(status.header("content-type").as_deref(), Some("application/json"), "{status:?}");

    let output = deployment.namespace.run(Command::new(tool("curl")).args([
        "-sS",
        "--max-time",
        "5",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        "--resolve",
        &format!("{SERVER_NAME}:8080:{}", address("gateway")),
        &format!("http://{SERVER_NAME}:8080/page?x=1"),
    ]));
    assert!(output.status.success(), "curl failed:\n{}", render(&output, &[]));
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("301 https://{SERVER_NAME}/page?x=1"));
}

/// The test stack, built, and what Compose makes of its project.
struct Project {
    dir: Scratch,
    /// The bundle's `compose/` directory.
    compose: PathBuf,
    /// `docker-compose config` of the project, as JSON.
    config: serde_json::Value,
}

impl Project {
    fn build() -> Self {
        let dir = Scratch::new();
        // nginx reads the pages as whoever it runs as.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        dir.write("stack.kdl", STACK);
        for (path, text) in PAGES {
            dir.write(path, text);
        }
        let output = run(&mut dir.stackc(&["build", "stack.kdl", "--out", "out"]));
        assert!(output.status.success(), "stackc build failed:\n{}", render(&output, &[]));
        let bundle = fs::canonicalize(dir.path().join("out/web/current")).expect("the bundle");
        let compose = bundle.join("compose");
        let output = run(Command::new(tool("docker-compose")).current_dir(&compose).args([
            "-f",
            "compose.yml",
            "config",
            "--format",
            "json",
        ]));
        assert!(output.status.success(), "docker-compose config failed:\n{}", render(&output, &[]));
        let config = serde_json::from_slice(&output.stdout).expect("docker-compose config prints JSON");
        Project { dir, compose, config }
    }

    /// The environment Compose gives a container.
    fn environment(&self, service: &str) -> BTreeMap<String, String> {
        let environment = self.config["services"][service]["environment"].as_object().cloned().unwrap_or_default();
        environment.into_iter().map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned())).collect()
    }
}

/// A container's files under a test root, with the server config in `etc/nginx/conf.d` (the
/// gateway's filled in from its template) and a main `nginx.conf` that includes it.
struct Root {
    dir: PathBuf,
}

impl Root {
    /// `bind`: the address every `listen` of the container binds, for the runtime test.
    fn new(project: &Project, container: &str, cert: &Cert, bind: Option<&str>) -> Self {
        let dir = project.dir.path().join("roots").join(container);
        copy_tree(&project.compose.join("files").join(container), &dir);
        let conf_d = dir.join("etc/nginx/conf.d");
        let template = dir.join("etc/nginx/templates/default.conf.template");
        if template.exists() {
            fs::create_dir_all(&conf_d).expect("mkdir conf.d");
            let text = envsubst(&template, &upstreams_on_loopback(&project.environment(container)));
            assert!(!text.contains("${"), "a variable of the template was not filled in:\n{text}");
            assert!(text.contains("$request_uri") && text.contains("$host"), "nginx's own variables are gone:\n{text}");
            fs::write(conf_d.join("default.conf"), text).expect("write the filled-in template");
        }
        let server = conf_d.join("default.conf");
        let mut text = fs::read_to_string(&server).unwrap_or_else(|_| panic!("{container} has no server config"));
        text = text.replace("/usr/share/nginx/html", &format!("{}/usr/share/nginx/html", dir.display()));
        text = text.replace("/etc/nginx/tls", &format!("{}/etc/nginx/tls", dir.display()));
        if let Some(address) = bind {
            text = bind_listens(&text, address);
        }
        fs::write(&server, text).expect("write server config");

        // The pair the image is built with: not in the bundle, made by the test instead.
        let tls = dir.join("etc/nginx/tls");
        for (name, source) in [("server.crt", &cert.cert), ("server.key", &cert.key)] {
            assert!(!tls.join(name).exists(), "the bundle carries the gateway's {name}");
            if fs::read_to_string(&server).expect("read").contains(&format!("/etc/nginx/tls/{name}")) {
                fs::create_dir_all(&tls).expect("mkdir tls");
                fs::copy(source, tls.join(name)).expect("copy the test certificate");
            }
        }

        // What the image's main config provides, with every path under the root.
        let temp = dir.join("tmp");
        fs::create_dir_all(&temp).expect("mkdir tmp");
        let mut main = format!(
            "# Written by the test, in place of the image's /etc/nginx/nginx.conf.\n\
             worker_processes 1;\n\
             daemon off;\n\
             master_process off;\n\
             pid {root}/nginx.pid;\n\
             error_log {root}/error.log;\n\
             events {{\n    worker_connections 64;\n}}\n\
             http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    \
             access_log {root}/access.log;\n",
            root = dir.display()
        );
        for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            main.push_str(&format!("    {kind}_temp_path {};\n", temp.join(kind).display()));
        }
        main.push_str(&format!("    include {}/*.conf;\n}}\n", conf_d.display()));
        fs::write(dir.join("nginx.conf"), main).expect("write nginx.conf");
        Root { dir }
    }
}

/// The environment of a container with each `UPSTREAM_*` address's host (a container's name)
/// replaced by the loopback address the test runs that container on.
fn upstreams_on_loopback(environment: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut environment = environment.clone();
    for (name, value) in environment.iter_mut().filter(|(name, _)| name.starts_with("UPSTREAM_")) {
        let (host, port) = value.rsplit_once(':').unwrap_or_else(|| panic!("{name}={value} is not host:port"));
        *value = format!("{}:{port}", address(host));
    }
    environment
}

/// The template filled in as the image's entrypoint does: only the variables of the
/// environment whose names match `NGINX_ENVSUBST_FILTER` are replaced.
fn envsubst(template: &Path, environment: &BTreeMap<String, String>) -> String {
    let filter = environment.get("NGINX_ENVSUBST_FILTER").map_or("", String::as_str);
    let filter = regex::Regex::new(filter).expect("the filter is a regular expression");
    let names: Vec<String> =
        environment.keys().filter(|name| filter.is_match(name)).map(|name| format!("${{{name}}}")).collect();
    assert!(!names.is_empty(), "no variable matches the filter `{filter}`");
    let output = run(Command::new(tool("envsubst"))
        .arg(names.join(" "))
        .env_clear()
        .envs(environment)
        .stdin(fs::File::open(template).expect("open template")));
    assert!(output.status.success(), "envsubst failed:\n{}", render(&output, &[]));
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// `listen PORT …` → `listen ADDRESS:PORT …`.
fn bind_listens(text: &str, address: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match line.trim_start().strip_prefix("listen ") {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
                out.push_str(&format!("{indent}listen {address}:{rest}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn address(container: &str) -> &'static str {
    ADDRESSES.iter().find(|(name, _)| *name == container).map(|(_, a)| *a).unwrap_or_else(|| panic!("{container}?"))
}

/// A private network namespace with loopback up, held open by a process of its own; the
/// process is killed when this is dropped.
struct Namespace {
    holder: Child,
}

impl Namespace {
    fn new() -> Self {
        let mut holder = Command::new(tool("unshare"))
            .arg("--net")
            .arg(tool("sh"))
            .arg("-c")
            .arg("ip link set lo up && echo ready && exec sleep 60")
            .env("PATH", path_with(&tool("ip")))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run unshare");
        let mut line = String::new();
        BufReader::new(holder.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
        let namespace = Namespace { holder };
        assert_eq!(line.trim(), "ready", "the network namespace was not set up");
        namespace
    }

    /// `command`, in the namespace.
    fn command(&self, command: &Command) -> Command {
        let mut inside = Command::new(tool("nsenter"));
        inside.arg(format!("--net=/proc/{}/ns/net", self.holder.id())).arg(command.get_program());
        inside.args(command.get_args());
        inside
    }

    fn run(&self, command: &mut Command) -> Output {
        run(&mut self.command(command))
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// nginx in the foreground, one process (`master_process off`), killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- {} ({}) ---\n{}",
                self.name,
                self.log.display(),
                fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// The two sites and the gateway in one network namespace, each on its own loopback address.
struct Deployment {
    cert: Cert,
    // Dropped in this order: the servers, then the namespace they run in.
    _servers: Vec<Server>,
    namespace: Namespace,
}

impl Deployment {
    fn start(project: &Project) -> Self {
        let cert = Cert::new(project.dir.path(), SERVER_NAME);
        let namespace = Namespace::new();
        let mut servers = Vec::new();
        for (name, address) in ADDRESSES {
            let root = Root::new(project, name, &cert, Some(address));
            let log = root.dir.join("error.log");
            let child = namespace
                .command(
                    Command::new(tool("nginx"))
                        .arg("-e")
                        .arg(&log)
                        .arg("-p")
                        .arg(&root.dir)
                        .arg("-c")
                        .arg(root.dir.join("nginx.conf")),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("run nginx");
            servers.push(Server { name, child, log });
        }
        let deployment = Deployment { cert, _servers: servers, namespace };
        deployment.wait_until_listening();
        deployment
    }

    /// Until every server accepts connections, or ten seconds have passed.
    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        for (name, address) in ADDRESSES {
            let url =
                if name == "gateway" { format!("https://{address}:8443/") } else { format!("http://{address}:8080/") };
            loop {
                let output = self.namespace.run(Command::new(tool("curl")).args([
                    "-sk",
                    "--max-time",
                    "2",
                    "-o",
                    "/dev/null",
                    &url,
                ]));
                // curl's exit code 7: nothing listens yet.
                if output.status.code() != Some(7) {
                    break;
                }
                assert!(Instant::now() < deadline, "{name} did not answer {url} within 10 s");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// GET `path` from the gateway by its server name over HTTPS, trusting only the test
    /// certificate.
    fn get(&self, path: &str) -> Response {
        let output = self.namespace.run(
            Command::new(tool("curl"))
                .args(["-sS", "-i", "--max-time", "5", "--cacert"])
                .arg(&self.cert.cert)
                .arg("--resolve")
                .arg(format!("{SERVER_NAME}:8443:{}", address("gateway")))
                .arg(format!("https://{SERVER_NAME}:8443{path}")),
        );
        assert!(output.status.success(), "curl {path} failed:\n{}", render(&output, &[]));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_default();
        Response { status, head: head.to_owned(), body: body.to_owned() }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    /// A header's value (names compared without case).
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }
}
