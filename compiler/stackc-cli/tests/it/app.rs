//! The `app` plugin with the api-ha API (`stacks/api-ha/api`) as its source, built from
//! `tests/fixtures/app/stack.kdl` and checked by the real consumers of what it writes: hadolint
//! lints the image's Dockerfile (with and without a lockfile), check-jsonschema validates the
//! GitLab CI pipeline against GitLab's schema, systemd-analyze verifies the unit, and node
//! runs the application from the host tree with the environment the unit and its per-host
//! drop-in give it, on a loopback address: both entry points answer unique JSON documents,
//! metrics count them, and SIGTERM lets a request in flight finish.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Scratch, hadolint, render, run, tool, workspace};
use crate::http::{get, wait_for};
use crate::systemd::{directive, words};

const FIXTURE: &str = "compiler/stackc-cli/tests/fixtures/app/stack.kdl";
const SOURCE: &str = "stacks/api-ha/api";
/// The runtime test's addresses: `--set subnet=127.0.6` (api-ha's own test has 127.0.5).
const SUBNET: &str = "127.0.6";
const UNIT: &str = "etc/systemd/system/api.service";
const DROP_IN: &str = "etc/systemd/system/api.service.d/listen.conf";
const ENTRY: &str = "/кільце-кільце";

/// The fixture built in a scratch directory beside a copy of the API's source.
struct Built {
    scratch: Scratch,
    bundle: PathBuf,
}

impl Built {
    /// `extra` files are added to the copy of the source, `args` to `stackc build`.
    fn new(extra: &[(&str, &str)], args: &[&str]) -> Self {
        let scratch = Scratch::new();
        scratch.write("stack.kdl", &fs::read_to_string(workspace().join(FIXTURE)).expect("the fixture"));
        for (path, text) in files(&workspace().join(SOURCE)) {
            scratch.write(&format!("api/{path}"), &text);
        }
        for (path, text) in extra {
            scratch.write(&format!("api/{path}"), text);
        }
        let output = run(scratch.stackc(&["build", "stack.kdl", "--out", "out"]).args(args));
        assert!(output.status.success(), "stackc build failed:\n{}", render(&output, &[]));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout.lines().find_map(|l| l.strip_prefix("bundle ")).expect("a `bundle` line");
        let dir = line.rsplit_once(" (").map_or(line, |(dir, _)| dir);
        let bundle = fs::canonicalize(scratch.path().join(dir)).expect("bundle directory");
        Built { scratch, bundle }
    }

    fn text(&self, path: &str) -> String {
        fs::read_to_string(self.bundle.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// Every file under `dir`, as (relative path, text).
fn files(dir: &Path) -> Vec<(String, String)> {
    crate::common::files_under(dir, &["node_modules"])
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(dir.join(&path)).expect("a source file");
            (path, text)
        })
        .collect()
}

#[test]
fn hadolint_passes_the_dockerfile_with_and_without_a_lockfile() {
    let lockfile = r#"{"name": "api-ha-api", "lockfileVersion": 3, "requires": true, "packages": {}}"#;
    for (extra, installs) in [(&[][..], false), (&[("package-lock.json", lockfile)][..], true)] {
        let built = Built::new(extra, &[]);
        let dockerfile = built.bundle.join("services/api/image/Dockerfile");
        let text = built.text("services/api/image/Dockerfile");
        assert!(!text.to_lowercase().contains("hadolint"), "the Dockerfile silences hadolint:\n{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("FROM node:")).count(), 2, "two stages:\n{text}");
        assert_eq!(text.contains("RUN npm ci --omit=dev"), installs, "{text}");
        // Nothing runs as root after the switch to the image's `node` user.
        let after_user: Vec<&str> = text.lines().skip_while(|l| *l != "USER 1000:1000").collect();
        assert!(!after_user.is_empty() && after_user.iter().all(|l| !l.starts_with("RUN ")), "{text}");
        assert!(text.contains("\nCMD [\"node\", \"server.js\"]\n") && text.contains("\nHEALTHCHECK "), "{text}");
        let output = hadolint(&dockerfile, built.scratch.path());
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "hadolint found problems in the Dockerfile:\n{}\n{text}",
            render(&output, &[])
        );
        // The context holds the source as it is in the repository, and a .dockerignore.
        assert_eq!(
            built.text("services/api/image/server.js"),
            fs::read_to_string(workspace().join(SOURCE).join("server.js")).expect("server.js")
        );
        assert!(built.text("services/api/image/.dockerignore").contains("node_modules"));
    }

    // The check is real: a Dockerfile that ends as root is refused.
    let built = Built::new(&[], &[]);
    let broken = built.scratch.path().join("Dockerfile.broken");
    fs::write(&broken, built.text("services/api/image/Dockerfile").replace("USER 1000:1000\n", "USER root\n"))
        .expect("write");
    let output = run(Command::new(tool("hadolint")).args(["--no-color", "--failure-threshold", "style"]).arg(&broken));
    assert!(!output.status.success(), "hadolint accepted a Dockerfile that ends as root:\n{}", render(&output, &[]));
}

/// A YAML key whose name says credential, given a value that is not a CI variable.
pub(crate) fn credential_literals(text: &str) -> Vec<String> {
    let pattern =
        regex::Regex::new(r"(?i)^\s*-?\s*[\w-]*(password|passwd|token|secret|private_key|auth)[\w-]*\s*:\s*(\S.*)$")
            .expect("a regex");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| pattern.captures(l).map(|c| (l, c[2].trim().to_owned())))
        .filter(|(_, value)| !value.starts_with('$'))
        .map(|(l, _)| l.to_owned())
        .collect()
}

#[test]
fn the_pipeline_is_valid_gitlab_ci_and_holds_no_credential() {
    let built = Built::new(&[], &[]);
    let pipeline = built.bundle.join("services/api/.gitlab-ci.yml");
    let text = built.text("services/api/.gitlab-ci.yml");
    let check = |path: &Path| {
        run(Command::new(tool("check-jsonschema")).args(["--builtin-schema", "vendor.gitlab-ci"]).arg(path))
    };
    let output = check(&pipeline);
    assert!(output.status.success(), "check-jsonschema vendor.gitlab-ci:\n{}\n{text}", render(&output, &[]));
    // The check is real: a misspelt rule is refused.
    let broken = built.scratch.path().join("broken.gitlab-ci.yml");
    fs::write(&broken, text.replace("    - if: $CI_COMMIT_BRANCH", "    - iff: $CI_COMMIT_BRANCH")).expect("write");
    assert!(!check(&broken).status.success(), "check-jsonschema accepted a misspelt rule");

    // What the pipeline does: build and push the image from the bundle's context without a
    // Docker daemon, tagged with the commit (and `latest` on the default branch); deploy one
    // at a time, from the default branch only.
    for expected in [
        "cargo run --release -- build \"stacks/api-ha.kdl\" --locked",
        "cp -RL \"out/app/current\" bundle",
        "gcr.io/kaniko-project/executor:",
        "context=\"$CI_PROJECT_DIR/bundle/services/api/image\"",
        "--destination \"registry.gitlab.com/acme/api-ha/api:$CI_COMMIT_SHORT_SHA\"",
        "--destination \"registry.gitlab.com/acme/api-ha/api:latest\"",
        "\"registry.gitlab.com\" \"$auth\"",
        "  resource_group: app\n",
        "    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n",
        "ansible-playbook -i inventory.ini site.yml",
    ] {
        assert!(text.contains(expected), "the pipeline lacks `{expected}`:\n{text}");
    }
    let code = || text.lines().filter(|l| !l.trim_start().starts_with('#'));
    assert!(code().all(|l| !l.contains("privileged") && !l.contains("docker:dind")), "{text}");

    // Credentials are CI variables only.
    assert!(text.contains("\"$REGISTRY_PASSWORD\"") && text.contains("\"$ANSIBLE_PRIVATE_KEY_FILE\""), "{text}");
    assert_eq!(credential_literals(&text), Vec::<String>::new(), "credential-looking literals:\n{text}");
    // The scan is real: a password written into the file is found.
    let planted = text.replace("REGISTRY_PASSWORD: $CI_REGISTRY_PASSWORD", "REGISTRY_PASSWORD: hunter2");
    assert_eq!(credential_literals(&planted), ["  REGISTRY_PASSWORD: hunter2"]);
}

#[test]
fn the_unit_passes_systemd_analyze() {
    let built = Built::new(&[], &[]);
    let unit = built.bundle.join("hosts/api1").join(UNIT);
    let text = built.text(&format!("hosts/api1/{UNIT}"));
    assert!(text.contains("\nUser=api\n") && text.contains("\nRestart=always\n"), "{text}");
    assert!(text.contains("\nExecStart=\"/usr/bin/node\" \"/opt/api/server.js\"\n"), "{text}");
    let output = run(Command::new(tool("systemd-analyze")).args(["verify", "--man=no"]).arg(&unit));
    // Unknown keys only warn, with exit code 0: any output is a failure.
    assert!(
        output.status.success() && output.stderr.is_empty() && output.stdout.is_empty(),
        "systemd-analyze verify:\n{}",
        render(&output, &[])
    );
    // Each host listens on its own address.
    for (host, address) in [("api1", "10.30.0.21"), ("api2", "10.30.0.22")] {
        let drop_in = built.text(&format!("hosts/{host}/{DROP_IN}"));
        assert!(drop_in.contains(&format!("\"HOST={address}\" \"SERVER_NAME={host}\"")), "{drop_in}");
    }
}

#[test]
fn node_runs_the_api_as_the_unit_says_and_stops_gracefully() {
    let built = Built::new(&[], &["--set", &format!("subnet={SUBNET}")]);
    let host = built.bundle.join("hosts/api1");
    let unit = built.text(&format!("hosts/api1/{UNIT}"));
    let drop_in = built.text(&format!("hosts/api1/{DROP_IN}"));
    let (program, script) = match words(directive(&unit, "ExecStart")).as_slice() {
        [program, script] => (program.clone(), script.clone()),
        other => panic!("ExecStart is not `node SCRIPT`: {other:?}"),
    };
    assert_eq!(program, "/usr/bin/node", "{unit}");
    // The unit's environment, then the drop-in's, as systemd merges them.
    let environment: Vec<(String, String)> = [&unit, &drop_in]
        .iter()
        .flat_map(|text| text.lines().filter_map(|l| l.strip_prefix("Environment=")).flat_map(words))
        .map(|assignment| {
            let (key, value) = assignment.split_once('=').expect("KEY=value");
            (key.to_owned(), value.to_owned())
        })
        .collect();
    let get_env = |key: &str| {
        environment.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("no {key}"))
    };
    let authority = format!("{}:{}", get_env("HOST"), get_env("PORT"));
    assert_eq!(authority, format!("{SUBNET}.21:8080"));

    // node from the host tree: the file the deploy installs at the unit's path.
    let mut command = Command::new(tool("node"));
    command.arg(host.join(script.trim_start_matches('/'))).env_clear().envs(environment.iter().cloned());
    let mut api = Api::start(&mut command, &built.scratch.path().join("api.log"));
    wait_for("the API's health endpoint", || get(&authority, "/health").is_ok_and(|r| r.status == 200));

    let mut ids = BTreeSet::new();
    for path in ["/", ENTRY, "/", ENTRY] {
        let response = get(&authority, path).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(response.status, 200, "GET {path}: {}", response.body);
        assert_eq!(response.content_type.as_deref(), Some("application/json; charset=utf-8"), "GET {path}");
        let document: Value = serde_json::from_str(&response.body).expect("a JSON document");
        assert_eq!(document["entry"], path, "{document}");
        assert_eq!(document["server"], "api1", "{document}");
        let id = document["id"].as_str().expect("an id").to_owned();
        assert!(ids.insert(id), "GET {path} repeated an id: {document}");
    }
    let health = get(&authority, "/health").expect("GET /health");
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let missing = get(&authority, "/nowhere").expect("GET /nowhere");
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(serde_json::from_str::<Value>(&missing.body).expect("JSON")["error"], "not found");

    let metrics = get(&authority, "/metrics").expect("GET /metrics");
    assert_eq!(metrics.status, 200);
    let entry_line = format!("http_requests_total{{path=\"{ENTRY}\",status=\"200\"}} 2");
    for line in [
        "http_requests_total{path=\"/\",status=\"200\"} 2",
        entry_line.as_str(),
        "http_requests_total{path=\"other\",status=\"404\"} 1",
        "# TYPE http_request_duration_seconds histogram",
    ] {
        assert!(metrics.body.lines().any(|l| l == line), "no `{line}` in:\n{}", metrics.body);
    }
    // The health checks so far: the wait's (at least one) and the one above.
    let count = |name: &str| -> u64 {
        metrics.body.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok()).unwrap_or_else(|| panic!("{name}"))
    };
    assert!(count("http_request_duration_seconds_count") >= 7, "{}", metrics.body);

    // SIGTERM with a request half sent: no new connection is accepted, the request in flight
    // is answered, then node exits 0.
    let address: SocketAddr = authority.parse().expect("an address");
    let mut in_flight = TcpStream::connect(address).expect("connect");
    in_flight.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    in_flight.write_all(format!("GET / HTTP/1.1\r\nHost: {authority}\r\n").as_bytes()).expect("send");
    std::thread::sleep(Duration::from_millis(200));
    let output = run(Command::new(tool("kill")).args(["-TERM", &api.child.id().to_string()]));
    assert!(output.status.success(), "kill -TERM:\n{}", render(&output, &[]));
    wait_for("the listener to close", || TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err());
    in_flight.write_all(b"Connection: close\r\n\r\n").expect("finish the request");
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).expect("the answer to the request in flight");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.contains("\"entry\":\"/\""), "{answer}");
    let status = api.wait(Duration::from_secs(5));
    assert!(status.success(), "node exited with {status} after SIGTERM:\n{}", api.log());
}

/// The API's node process, killed when the test ends however it ends.
struct Api {
    child: Child,
    log: PathBuf,
}

impl Api {
    fn start(command: &mut Command, log: &Path) -> Self {
        let file = fs::File::create(log).expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node: {e}"));
        Api { child, log: log.to_owned() }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "node still runs {limit:?} after SIGTERM:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- node ---\n{}", self.log());
        }
    }
}
