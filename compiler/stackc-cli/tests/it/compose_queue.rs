//! The Compose queue: a `rabbitmq` broker and a `celery-worker` that logs every message it
//! receives, built from a small stack and checked with the real tools. There is no container
//! engine here, so the containers' programs run directly, on loopback:
//!
//! - hadolint passes the worker's generated Dockerfile;
//! - Debian's `rabbitmq-server` runs the generated `rabbitmq.conf` and `enabled_plugins` with
//!   the environment `compose.yml` gives the broker, so the application user is made the way
//!   the container makes it (`RABBITMQ_DEFAULT_USER`, `RABBITMQ_DEFAULT_PASS`); the generated
//!   healthcheck (`rabbitmq-diagnostics -q ping`) says when it is up;
//! - the generated worker module runs under Celery with the command and environment
//!   `compose.yml` gives the worker; a task with a unique payload and a message that is no
//!   task are published, and the worker's log must show both bodies; its healthcheck and
//!   metrics answer.
//!
//! What is adapted, and nothing else: the broker's listeners move to free loopback ports
//! (three lines of `rabbitmq.conf` rewritten, two `*.tcp.ip` lines added), its data and log
//! directories, epmd and the Erlang distribution port move to the test's directory and
//! loopback (environment variables); the worker reaches the broker at 127.0.0.1 rather than
//! by its container name, and serves metrics on loopback; the secret comes from the test, as
//! Compose takes it from `.env`. Everything is bounded in time, and every process started is
//! killed when the test ends, however it ends.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Scratch, files_under, render, tool};

/// The test's secret: it must reach the broker and the worker, and no file of the bundle.
const PASSWORD: &str = "queue-test-Pw-7f3a91c2";
const SECRET_VARIABLE: &str = "MQ_PASSWORD";

const STACK: &str = r#"stack "queue"

compose "t" {
    network "queue"
}

secret "mq-password" env="MQ_PASSWORD"

service "mq" plugin="rabbitmq" on="t" {
    user "octopus"
    password (secret)"mq-password"
    networks "queue"
}

service "worker" plugin="celery-worker" on="t" {
    broker (ref)"mq.amqp"
    broker-user "octopus"
    broker-password (secret)"mq-password"
    queues "celery"
    concurrency 1
    networks "queue"
}
"#;

/// The stack built in a scratch directory, with its Compose file read as JSON.
struct Built {
    scratch: Scratch,
    bundle: PathBuf,
    compose: Value,
}

impl Built {
    fn new() -> Self {
        let scratch = Scratch::new();
        scratch.write("stack.kdl", STACK);
        // The secret's variable is set while building: none of it may reach the bundle.
        let output = scratch.stackc(&["build", "stack.kdl"]).env(SECRET_VARIABLE, PASSWORD).output().expect("run");
        assert!(output.status.success(), "stackc build failed:\n{}", render(&output, &[]));
        let bundle = fs::canonicalize(scratch.path().join("out/queue/current")).expect("the bundle");
        let compose = yaml_as_json(&bundle.join("compose/compose.yml"));
        Built { scratch, bundle, compose }
    }

    fn service(&self, name: &str) -> &Value {
        let service = &self.compose["services"][name];
        assert!(service.is_object(), "no service `{name}` in compose.yml:\n{:#}", self.compose);
        service
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.bundle.join(relative)
    }
}

/// A YAML file as JSON, read by the virtualenv's PyYAML (Ansible's dependency).
fn yaml_as_json(path: &Path) -> Value {
    let output = Command::new(tool("python3"))
        .args(["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"])
        .arg(path)
        .output()
        .expect("run python3");
    assert!(output.status.success(), "python3 could not read {}:\n{}", path.display(), render(&output, &[]));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// The environment of a Compose service, as Compose passes it: `$$` is a literal `$`, and
/// `${VARIABLE:?…}` is the variable from `.env`, here the test's secret.
fn environment(service: &Value) -> Vec<(String, String)> {
    let map = service["environment"].as_object().expect("an environment map");
    map.iter()
        .map(|(name, value)| {
            let value = value.as_str().expect("a string");
            let value = if let Some(rest) = value.strip_prefix("${") {
                let variable = rest.split(":?").next().unwrap_or_default();
                assert_eq!(variable, SECRET_VARIABLE, "{name} comes from an unexpected variable: {value}");
                PASSWORD.to_owned()
            } else {
                value.replace("$$", "$")
            };
            (name.clone(), value)
        })
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().expect("a list").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
}

#[test]
fn the_queue_bundle_keeps_secrets_out_and_its_dockerfile_passes_hadolint() {
    let built = Built::new();

    let dockerfile = built.path("compose/build/worker/Dockerfile");
    let output = Command::new(tool("hadolint")).arg(&dockerfile).output().expect("run hadolint");
    assert!(
        output.status.success() && output.stdout.is_empty(),
        "hadolint rejected the worker's Dockerfile:\n{}",
        render(&output, &[])
    );
    let text = fs::read_to_string(&dockerfile).expect("Dockerfile");
    assert_eq!(text.lines().filter(|l| l.starts_with("FROM ")).count(), 2, "a multi-stage build:\n{text}");
    let user = text.lines().rev().find(|l| l.starts_with("USER ")).expect("a USER line");
    assert!(text.lines().skip_while(|l| !l.starts_with("USER ")).all(|l| !l.starts_with("RUN ")), "{text}");

    // The containers: non-root, on the stack's network, the worker after a healthy broker.
    let mq = built.service("mq");
    let worker = built.service("worker");
    assert_eq!(mq["user"], "999:999");
    assert_eq!(format!("USER {}", worker["user"].as_str().expect("a user")), user);
    assert_eq!(worker["build"]["context"], "./build/worker");
    for service in [mq, worker] {
        assert_eq!(strings(&service["networks"]), ["queue"]);
    }
    assert_eq!(worker["depends_on"]["mq"]["condition"], "service_healthy", "{worker:#}");
    assert!(built.path("compose/build/worker/.dockerignore").exists());

    // The secret is a reference everywhere: `.env.example` names its variable, with no value.
    let example = fs::read_to_string(built.path("compose/.env.example")).expect(".env.example");
    assert!(example.lines().any(|l| l == format!("{SECRET_VARIABLE}=")), "{example}");
    for (service, variable) in [(mq, "RABBITMQ_DEFAULT_PASS"), (worker, "CELERY_BROKER_PASSWORD")] {
        let value = service["environment"][variable].as_str().expect("the password variable");
        assert!(value.starts_with(&format!("${{{SECRET_VARIABLE}:?")), "{variable}: {value}");
    }
    let files = files_under(&built.bundle, &[]);
    assert!(files.len() > 5, "{files:?}");
    for file in &files {
        let bytes = fs::read(built.bundle.join(file)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PASSWORD), "the secret's value is in {file}");
        assert!(!text.contains("amqp://octopus"), "a broker URL with its user is in {file}");
    }
}

#[test]
fn the_worker_logs_every_message_it_receives_through_the_generated_broker() {
    let started = Instant::now();
    let built = Built::new();
    let dir = built.scratch.path().join("run");
    fs::create_dir_all(&dir).expect("mkdir");
    let mut processes = Processes::default();
    let ports = Ports::pick();

    let broker = Broker::start(&built, &dir, &ports, &mut processes);
    broker.wait_until_healthy(&mut processes, Duration::from_secs(30));
    println!("broker healthy after {:.1}s", started.elapsed().as_secs_f64());

    // The worker: the build context's program, the command and environment of compose.yml.
    let worker = built.service("worker");
    let app = dir.join("app");
    fs::create_dir_all(&app).expect("mkdir");
    for file in ["message_logger.py", "requirements.txt"] {
        fs::copy(built.path(&format!("compose/build/worker/{file}")), app.join(file)).expect("copy");
    }
    check_celery_version(&app.join("requirements.txt"));
    let mut env = environment(worker);
    for (name, value) in &mut env {
        let adapted = match name.as_str() {
            "CELERY_BROKER_HOST" => {
                assert_eq!(value, "mq", "the broker is reached by its container name");
                "127.0.0.1".to_owned()
            }
            "CELERY_BROKER_PORT" => {
                assert_eq!(value, "5672");
                ports.amqp.to_string()
            }
            "WORKER_METRICS_ADDRESS" => "127.0.0.1".to_owned(),
            "WORKER_METRICS_PORT" => {
                assert_eq!(value, "9808");
                ports.worker_metrics.to_string()
            }
            _ => continue,
        };
        *value = adapted;
    }
    let command = strings(&worker["command"]);
    assert_eq!(command[0], "celery");
    let log = dir.join("worker.log");
    let mut celery = Command::new(tool("celery"));
    celery.args(&command[1..]).current_dir(&app).envs(env.iter().map(|(k, v)| (k, v)));
    // As in the image.
    celery.env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
    processes.spawn("celery worker", &mut celery, &log);
    wait_for(&mut processes, "the worker to be ready", Duration::from_secs(20), || {
        fs::read_to_string(&log).unwrap_or_default().contains(" ready: worker@").then_some(())
    });
    println!("worker ready after {:.1}s", started.elapsed().as_secs_f64());

    // A task with a unique payload, and a message that is no task at all.
    let payload = format!("payload-{}-{}", std::process::id(), started.elapsed().as_nanos());
    let raw = format!("not-a-task-{payload}");
    let publish = format!(
        "import os, kombu, message_logger as m\n\
         m.app.send_task(os.environ['WORKER_TASK'], args=['{payload}'], kwargs={{'from': 'test'}})\n\
         with m.app.connection_for_write() as connection:\n\
         \x20   kombu.Producer(connection).publish({{'raw': '{raw}'}}, routing_key='celery', serializer='json')\n"
    );
    let output = bounded(
        Command::new(tool("python3")).args(["-c", &publish]).current_dir(&app).envs(env.iter().map(|(k, v)| (k, v))),
        Duration::from_secs(15),
    );
    assert!(output.status.success(), "publishing failed:\n{}", render(&output, &[]));

    let logged = wait_for(&mut processes, "the worker to log both messages", Duration::from_secs(15), || {
        let text = fs::read_to_string(&log).unwrap_or_default();
        (text.contains(&format!("message args=[\"{payload}\"]")) && text.contains(&raw)).then_some(text)
    });
    let received = logged
        .lines()
        .find(|l| l.contains("message_logger: received task=log_message") && l.contains(&payload))
        .unwrap_or_else(|| panic!("no `received` line with the payload:\n{logged}"));
    assert!(received.contains("queue=celery") && received.contains(r#"{"from": "test"}"#), "{received}");
    let rejected = logged
        .lines()
        .find(|l| l.contains("message_logger: rejected") && l.contains(&raw))
        .unwrap_or_else(|| panic!("no `rejected` line with the raw body:\n{logged}"));
    println!("{received}\n{rejected}");

    // The worker's healthcheck answers through the broker, and its metrics count both.
    let health = strings(&worker["healthcheck"]["test"]);
    assert_eq!(health[..2], ["CMD", "python"]);
    let output = bounded(
        Command::new(tool("python3")).args(&health[2..]).current_dir(&app).envs(env.iter().map(|(k, v)| (k, v))),
        Duration::from_secs(15),
    );
    assert!(output.status.success(), "the worker's healthcheck failed:\n{}", render(&output, &[]));
    let metrics = http_get(ports.worker_metrics, "/metrics");
    for line in [
        r#"celery_worker_messages_received_total{kind="received"} 1"#,
        r#"celery_worker_messages_received_total{kind="rejected"} 1"#,
    ] {
        assert!(metrics.lines().any(|l| l == line), "no `{line}` in the worker's metrics:\n{metrics}");
    }
    // And the broker's metrics endpoint serves Prometheus text.
    let broker_metrics = http_get(ports.metrics, "/metrics");
    assert!(broker_metrics.contains("# TYPE rabbitmq_"), "{}", &broker_metrics[..broker_metrics.len().min(500)]);

    // A broken configuration shows in the log, not in the exit code (the server's script exits
    // 0). Other `[error]` lines are not the configuration's: a client closing its connection
    // while a channel starts, as the healthcheck's ping may on a loaded machine, logs a
    // `shutdown_error` of the channel supervisor.
    let server_log = fs::read_to_string(&broker.log).unwrap_or_default();
    for marker in ["failed_to_prepare_configuration", "BOOT FAILED", "there is no setting with that name"] {
        assert!(!server_log.contains(marker), "the broker's configuration failed ({marker}):\n{server_log}");
    }
    drop(processes);
    println!("done in {:.1}s", started.elapsed().as_secs_f64());
    assert!(started.elapsed() < Duration::from_secs(90), "the test is meant to take well under a minute");
}

/// Celery in the virtualenv is the version the generated requirements pin.
fn check_celery_version(requirements: &Path) {
    let text = fs::read_to_string(requirements).expect("requirements.txt");
    let pinned = text.lines().find_map(|l| l.strip_prefix("celery==")).expect("celery pinned");
    let output = Command::new(tool("celery")).arg("--version").output().expect("run celery");
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with(&format!("{pinned} ")),
        "the virtualenv has celery {version}, the worker pins {pinned}: update scripts/setup.sh"
    );
}

/// Free loopback ports, one per listener.
struct Ports {
    amqp: u16,
    management: u16,
    metrics: u16,
    dist: u16,
    epmd: u16,
    cli_dist: u16,
    worker_metrics: u16,
}

impl Ports {
    fn pick() -> Self {
        // Held together so that no two are the same, then let go for the programs to take.
        let listeners: Vec<TcpListener> =
            (0..7).map(|_| TcpListener::bind("127.0.0.1:0").expect("a free loopback port")).collect();
        let port = |i: usize| listeners[i].local_addr().expect("address").port();
        Ports {
            amqp: port(0),
            management: port(1),
            metrics: port(2),
            dist: port(3),
            epmd: port(4),
            cli_dist: port(5),
            worker_metrics: port(6),
        }
    }
}

/// The broker, running from the generated files.
struct Broker {
    env: Vec<(String, String)>,
    log: PathBuf,
    /// Runs a RabbitMQ command as the broker's user.
    as_user: Vec<String>,
    /// The argv of compose.yml's healthcheck.
    health: Vec<String>,
}

impl Broker {
    fn start(built: &Built, dir: &Path, ports: &Ports, processes: &mut Processes) -> Self {
        let files = built.path("compose/files/mq/etc/rabbitmq");
        let conf = fs::read_to_string(files.join("rabbitmq.conf")).expect("rabbitmq.conf");
        let mut adapted = conf.clone();
        for (line, replacement) in [
            ("listeners.tcp.default = 5672", format!("listeners.tcp.default = 127.0.0.1:{}", ports.amqp)),
            (
                "management.tcp.port = 15672",
                format!("management.tcp.port = {}\nmanagement.tcp.ip = 127.0.0.1", ports.management),
            ),
            (
                "prometheus.tcp.port = 15692",
                format!("prometheus.tcp.port = {}\nprometheus.tcp.ip = 127.0.0.1", ports.metrics),
            ),
        ] {
            assert_eq!(conf.lines().filter(|l| *l == line).count(), 1, "`{line}` in rabbitmq.conf:\n{conf}");
            adapted = adapted.replace(line, &replacement);
        }
        let etc = dir.join("etc");
        let base = dir.join("rabbitmq");
        let conf_d = etc.join("conf.d");
        for d in [&etc, &base, &conf_d] {
            fs::create_dir_all(d).expect("mkdir");
        }
        fs::write(etc.join("rabbitmq.conf"), adapted).expect("write");
        fs::copy(files.join("enabled_plugins"), etc.join("enabled_plugins")).expect("copy");

        // Debian's server refuses nothing as root, but the image runs it as `rabbitmq`: so
        // does the test, when it can.
        let root =
            String::from_utf8_lossy(&Command::new(tool("id")).arg("-u").output().expect("id").stdout).trim() == "0";
        let as_user = if root {
            let mut path = dir.to_path_buf();
            while path.starts_with(built.scratch.path()) {
                fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
                path.pop();
            }
            let output =
                Command::new(tool("chown")).args(["-R", "rabbitmq:rabbitmq"]).arg(&base).output().expect("chown");
            assert!(output.status.success(), "chown failed:\n{}", render(&output, &[]));
            let setpriv = tool("setpriv").display().to_string();
            [setpriv.as_str(), "--reuid", "rabbitmq", "--regid", "rabbitmq", "--init-groups"]
                .map(str::to_owned)
                .to_vec()
        } else {
            Vec::new()
        };

        let mq = built.service("mq");
        assert_eq!(mq["volumes"][0]["target"], "/var/lib/rabbitmq", "the data volume");
        let mut env = environment(mq);
        assert!(env.iter().any(|(k, v)| k == "RABBITMQ_DEFAULT_PASS" && v == PASSWORD), "{env:?}");
        let at = |p: &Path| p.display().to_string();
        let loopback = "-kernel inet_dist_use_interface {127,0,0,1}".to_owned();
        env.extend(
            [
                ("HOME", at(&base)),
                ("RABBITMQ_MNESIA_BASE", at(&base.join("mnesia"))),
                ("RABBITMQ_LOG_BASE", at(&base.join("log"))),
                ("RABBITMQ_PID_FILE", at(&base.join("rabbitmq.pid"))),
                ("RABBITMQ_CONFIG_FILE", at(&etc.join("rabbitmq.conf"))),
                ("RABBITMQ_CONFIG_FILES", at(&conf_d)),
                ("RABBITMQ_ENABLED_PLUGINS_FILE", at(&etc.join("enabled_plugins"))),
                ("RABBITMQ_DIST_PORT", ports.dist.to_string()),
                ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", loopback.clone()),
                ("RABBITMQ_CTL_ERL_ARGS", loopback),
                ("RABBITMQ_CTL_DIST_PORT_MIN", ports.cli_dist.to_string()),
                ("RABBITMQ_CTL_DIST_PORT_MAX", ports.cli_dist.to_string()),
                ("ERL_EPMD_ADDRESS", "127.0.0.1".to_owned()),
                ("ERL_EPMD_PORT", ports.epmd.to_string()),
                ("LANG", "C.UTF-8".to_owned()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        let log = dir.join("rabbitmq.log");
        let health = strings(&mq["healthcheck"]["test"]);
        assert_eq!(health[..2], ["CMD", "rabbitmq-diagnostics"], "the broker's healthcheck");
        let broker = Broker { env, log, as_user, health: health[1..].to_vec() };

        // epmd in the foreground, on loopback, so that it is the test's to stop: started by
        // the node, it would outlive it.
        let mut epmd = broker.command(&tool("epmd"));
        epmd.args(["-address", "127.0.0.1", "-port", &ports.epmd.to_string()]);
        processes.spawn("epmd", &mut epmd, &dir.join("epmd.log"));
        let mut server = broker.command(&rabbitmq("rabbitmq-server"));
        processes.spawn("rabbitmq-server", &mut server, &broker.log);
        broker
    }

    /// `program` as the broker's user, with the broker's environment.
    fn command(&self, program: &Path) -> Command {
        let mut command = match self.as_user.split_first() {
            Some((setpriv, args)) => {
                let mut c = Command::new(setpriv);
                c.args(args).arg(program);
                c
            }
            None => Command::new(program),
        };
        command.env_clear().env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs the generated healthcheck (the argv compose.yml runs inside the container) until
    /// it passes.
    fn wait_until_healthy(&self, processes: &mut Processes, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        while Instant::now() < deadline {
            processes.check_running(&self.log);
            let server_log = fs::read_to_string(&self.log).unwrap_or_default();
            // A bad config stops the node with exit code 0: read its log.
            assert!(
                !server_log.contains("failed_to_prepare_configuration") && !server_log.contains("[error]"),
                "rabbitmq-server failed:\n{server_log}"
            );
            if server_log.contains("Server startup complete") {
                let mut ping = self.command(&rabbitmq(&self.health[0]));
                ping.args(&self.health[1..]);
                let output = bounded(&mut ping, Duration::from_secs(10));
                if output.status.success() {
                    return;
                }
                last = Some(output);
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!(
            "the broker was not healthy within {timeout:?}; last healthcheck:\n{}\nserver log:\n{}",
            last.map(|o| render(&o, &[])).unwrap_or_default(),
            fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

/// A RabbitMQ program of Debian's package, which keeps them out of PATH.
fn rabbitmq(name: &str) -> PathBuf {
    let path = Path::new("/usr/lib/rabbitmq/bin").join(name);
    assert!(path.exists(), "`{}` is not installed; run scripts/setup.sh", path.display());
    path
}

/// Processes killed, each with its process group, when the test ends, however it ends.
#[derive(Default)]
struct Processes(Vec<(&'static str, Child)>);

impl Processes {
    fn spawn(&mut self, name: &'static str, command: &mut Command, log: &Path) {
        let out = fs::File::create(log).expect("log file");
        let err = out.try_clone().expect("log file");
        // A group of its own: the server's script runs the Erlang VM as its child.
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        self.0.push((name, child));
    }

    /// Panics, with the log, when a process has exited.
    fn check_running(&mut self, log: &Path) {
        for (name, child) in &mut self.0 {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("{name} exited ({status}):\n{}", fs::read_to_string(log).unwrap_or_default());
            }
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in self.0.iter_mut().rev() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
            let _ = child.kill();
        }
        for (_, child) in &mut self.0 {
            let _ = child.wait();
        }
    }
}

/// Polls `f` until it gives a value, checking that every process still runs.
fn wait_for<T>(processes: &mut Processes, what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        for (name, child) in &mut processes.0 {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("{name} exited ({status}) while waiting for {what}");
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Runs a command to completion, killed after `timeout`.
fn bounded(command: &mut Command, timeout: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run {command:?}: {e}"));
    let deadline = Instant::now() + timeout;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// The body of `GET path` on a loopback port.
fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect to {port}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    assert!(head.starts_with("HTTP/1.") && head.contains(" 200 "), "GET {path} on {port}:\n{head}");
    body.to_owned()
}
