//! `stacks/api-ha.kdl`, seed system S1, run for real on loopback addresses
//! (`--set subnet=127.0.5`): the two API servers as their generated systemd units say, both
//! balancers from their generated HAProxy configs, and the landing page's nginx from its
//! generated config. Clients load both entry points (the balancers' virtual IP, and the
//! landing page's `/api/` proxy) while
//!
//! 1. one API server is killed (S1.5): no request fails or takes 2 s;
//! 2. both API servers are updated one after the other by the steps the generated playbook's
//!    rolling play names for each host — drain it on every balancer (the bundle's own gate
//!    script against the test's HAProxy sockets), stop it as systemd does, start it, wait for
//!    its health checks, put it back (S1.7): no request fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use saphyr::{LoadableYamlNode, Scalar, Yaml};

use crate::balancer::{HaproxyRoot, Processes, Response, get, loopback_lock, wait_for};
use crate::common::{Cert, build_stack, path_with, render, run, tool};
use crate::nginx;

pub(crate) const STACK: &str = "stacks/api-ha.kdl";
/// The runtime test's addresses: `--set subnet=127.0.5`.
const SUBNET: &str = "127.0.5";
const API_HOSTS: [&str; 2] = ["api1", "api2"];
const BALANCERS: [&str; 2] = ["lb1", "lb2"];
/// Requests slower than this are failures (S1.5).
const BUDGET: Duration = Duration::from_secs(2);

#[test]
fn s1_5_s1_7_no_request_fails_when_an_api_server_dies_or_during_a_rolling_delivery() {
    let _lock = loopback_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &["--set", &format!("subnet={SUBNET}")]);
    let site = fs::read_to_string(bundle.join("ansible/site.yml")).expect("site.yml");
    let mut processes = Processes(Vec::new());

    for host in API_HOSTS {
        start_api(&bundle, host, &mut processes, dir.path());
    }
    let mut sockets = Vec::new();
    for host in BALANCERS {
        let root = HaproxyRoot::new(&bundle, host, &dir.path().join(host));
        processes.start(host, Command::new(tool("haproxy")).arg("-db").arg("-f").arg(&root.config), dir.path());
        sockets.push((host, root.dir.join("run/haproxy/admin.sock")));
    }
    // Plain HTTP: the certificate is not used.
    let cert = Cert::new(dir.path(), "web1");
    let _landing = nginx::Root::new(&bundle, "web1", &dir.path().join("web1"), &cert).start();

    let targets = entry_points();
    for target in &targets {
        wait_for(&format!("{} {}", target.authority, target.path), || target.check(&get_target(target)).is_ok());
    }
    for (balancer, socket) in &sockets {
        for host in API_HOSTS {
            wait_for(&format!("{host} up on {balancer}"), || server_status(socket, host) == "UP");
        }
    }

    // 1. An API server dies.
    let killed = load("kill api1", &targets, || {
        std::thread::sleep(Duration::from_secs(6));
        processes.kill("api1");
        std::thread::sleep(Duration::from_secs(8));
    });
    killed.assert_no_failure();
    assert!(killed.served_after(Duration::from_secs(9)).iter().all(|s| s != "api1"), "api1 served after its death");

    // systemd would restart it; the balancers take it back once its checks pass.
    start_api(&bundle, "api1", &mut processes, dir.path());
    for (balancer, socket) in &sockets {
        wait_for(&format!("api1 back up on {balancer}"), || server_status(socket, "api1") == "UP");
    }

    // 2. A rolling delivery, by the generated steps.
    let mut steps_run = Vec::new();
    let rolled = load("rolling delivery", &targets, || {
        std::thread::sleep(Duration::from_secs(2));
        for host in API_HOSTS {
            let steps = RollingSteps::of(&site, "api", host);
            assert_eq!(steps.drain.len(), BALANCERS.len(), "{host} is drained on every balancer: {steps:?}");
            assert_eq!(steps.enable.len(), BALANCERS.len(), "{host} is put back on every balancer: {steps:?}");
            assert!(!steps.health.is_empty(), "{host} has a health check: {steps:?}");
            for (balancer, argv) in &steps.drain {
                run_gate(&bundle, &sockets, balancer, argv);
                assert_eq!(server_status(socket_of(&sockets, balancer), host), "DRAIN", "{host} on {balancer}");
            }
            processes.terminate(host);
            start_api(&bundle, host, &mut processes, dir.path());
            for url in &steps.health {
                let (authority, path) = split_url(url);
                wait_for(url, || get(authority, path).is_ok_and(|r| r.status == 200));
            }
            for (balancer, argv) in &steps.enable {
                run_gate(&bundle, &sockets, balancer, argv);
                assert_eq!(server_status(socket_of(&sockets, balancer), host), "UP", "{host} on {balancer}");
            }
            steps_run.push(host);
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    assert_eq!(steps_run, API_HOSTS, "both servers were updated");
    rolled.assert_no_failure();
    let late = rolled.served_after(rolled.elapsed.saturating_sub(Duration::from_secs(2)));
    for host in API_HOSTS {
        assert!(late.iter().any(|s| s == host), "{host} serves again after the delivery: {late:?}");
    }
}

/// Starts the API of `host` as its generated systemd unit says: its program and arguments,
/// with the paths of its host tree in the bundle, and its environment.
fn start_api(bundle: &Path, host: &str, processes: &mut Processes, dir: &Path) {
    let tree = bundle.join("hosts").join(host);
    let unit = fs::read_dir(tree.join("etc/systemd/system"))
        .expect("the host's systemd units")
        .filter_map(|e| Some(fs::read_to_string(e.ok()?.path()).ok()?))
        .find(|text| text.contains("node"))
        .unwrap_or_else(|| panic!("no unit of {host} runs node"));
    let unit = Unit::parse(&unit);
    let program = tool(Path::new(&unit.argv[0]).file_name().and_then(|n| n.to_str()).expect("a program name"));
    let mut command = Command::new(program);
    for arg in &unit.argv[1..] {
        // An absolute path the bundle carries is read from the bundle.
        let in_tree = tree.join(arg.trim_start_matches('/'));
        if arg.starts_with('/') && in_tree.exists() {
            command.arg(in_tree)
        } else {
            command.arg(arg)
        };
    }
    command.env_clear().env("PATH", path_with(&tool("node"))).envs(unit.environment.iter().map(|(k, v)| (k, v)));
    processes.start(host, &mut command, dir);
}

/// The parts of a systemd unit the test runs a service by.
struct Unit {
    argv: Vec<String>,
    environment: Vec<(String, String)>,
}

impl Unit {
    fn parse(text: &str) -> Self {
        let mut argv = Vec::new();
        let mut environment = Vec::new();
        for line in text.lines() {
            if let Some(command) = line.strip_prefix("ExecStart=") {
                argv = words(command);
            } else if let Some(assignments) = line.strip_prefix("Environment=") {
                for word in words(assignments) {
                    let (name, value) = word.split_once('=').unwrap_or_else(|| panic!("`{word}` in:\n{text}"));
                    environment.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        assert!(!argv.is_empty(), "no ExecStart in:\n{text}");
        Unit { argv, environment }
    }
}

/// systemd's word splitting, as far as generated units use it: spaces between words, double
/// quotes around words with spaces, backslash escapes inside them.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut word = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => word.extend(chars.next()),
                    c => word.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
        while chars.peek() == Some(&' ') {
            chars.next();
        }
    }
    words
}

/// An entry point and the API path that answers it.
struct Target {
    authority: String,
    path: &'static str,
    /// The `entry` the API's answer names.
    entry: &'static str,
}

impl Target {
    fn check(&self, result: &Result<Response, String>) -> Result<String, String> {
        let response = result.as_ref().map_err(Clone::clone)?;
        let entry = format!("\"entry\":\"{}\"", self.entry);
        if response.status != 200 || !response.body.contains(&entry) || !response.body.contains("\"id\":") {
            return Err(format!("{} {}", response.status, response.body.trim()));
        }
        // `"server":"api1"`
        let server = response.body.split("\"server\":\"").nth(1).and_then(|rest| rest.split('"').next());
        Ok(server.unwrap_or_default().to_owned())
    }
}

/// Both entry points of S1.3: the balancers' virtual IP, and the landing page's proxy.
fn entry_points() -> Vec<Target> {
    let vip = format!("{SUBNET}.100:80");
    let landing = format!("{SUBNET}.31:80");
    vec![
        Target { authority: vip.clone(), path: "/", entry: "/" },
        Target { authority: vip, path: "/кільце-кільце", entry: "/кільце-кільце" },
        Target { authority: landing.clone(), path: "/api/", entry: "/" },
        Target { authority: landing, path: "/api/кільце-кільце", entry: "/кільце-кільце" },
    ]
}

fn get_target(target: &Target) -> Result<Response, String> {
    get(&target.authority, target.path)
}

/// What clients saw while `during` ran.
struct Load {
    what: &'static str,
    elapsed: Duration,
    samples: Vec<Sample>,
}

struct Sample {
    at: Duration,
    target: String,
    latency: Duration,
    /// The server that answered, or why the request failed.
    outcome: Result<String, String>,
}

/// Five clients, each sending a request every 100 ms (50 a second in all) in turn to every
/// entry point, from the start of `during` until a second after it returns; at most a minute.
fn load(what: &'static str, targets: &[Target], during: impl FnOnce()) -> Load {
    const CLIENTS: u32 = 5;
    let period = Duration::from_millis(100);
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let samples = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let stop = &stop;
                scope.spawn(move || {
                    let mut samples = Vec::new();
                    let offset = period / CLIENTS * client;
                    for n in 0u32.. {
                        if stop.load(Ordering::Relaxed) || start.elapsed() > Duration::from_secs(60) {
                            break;
                        }
                        let due = offset + period * n;
                        if let Some(wait) = due.checked_sub(start.elapsed()) {
                            std::thread::sleep(wait);
                        }
                        let target = &targets[(client + n) as usize % targets.len()];
                        let sent = Instant::now();
                        let outcome = target.check(&get_target(target));
                        let target = format!("{}{}", target.authority, target.path);
                        samples.push(Sample { at: start.elapsed(), target, latency: sent.elapsed(), outcome });
                    }
                    samples
                })
            })
            .collect();
        during();
        std::thread::sleep(Duration::from_secs(1));
        stop.store(true, Ordering::Relaxed);
        clients.into_iter().flat_map(|c| c.join().expect("client thread")).collect::<Vec<_>>()
    });
    Load { what, elapsed: start.elapsed(), samples }
}

impl Load {
    /// Every request answered by the API within the budget; prints the count and worst latency.
    fn assert_no_failure(&self) {
        let worst = self.samples.iter().map(|s| s.latency).max().unwrap_or_default();
        let failures: Vec<String> = self
            .samples
            .iter()
            .filter_map(|s| match &s.outcome {
                Err(why) => Some(format!("{:?} {}: {why}", s.at, s.target)),
                Ok(_) if s.latency >= BUDGET => Some(format!("{:?} {}: answered in {:?}", s.at, s.target, s.latency)),
                Ok(_) => None,
            })
            .collect();
        println!(
            "{}: {} requests in {:?}, {} failed, worst latency {worst:?}",
            self.what,
            self.samples.len(),
            self.elapsed,
            failures.len()
        );
        assert!(self.samples.len() > 200, "{}: too few requests: {}", self.what, self.samples.len());
        assert!(failures.is_empty(), "{}: {} requests failed:\n{}", self.what, failures.len(), failures.join("\n"));
    }

    /// The servers that answered requests sent after `after`.
    fn served_after(&self, after: Duration) -> Vec<String> {
        let mut servers: Vec<String> =
            self.samples.iter().filter(|s| s.at > after).filter_map(|s| s.outcome.clone().ok()).collect();
        servers.sort();
        servers.dedup();
        servers
    }
}

/// What the rolling play of `site.yml` runs for one host of a service, in its order.
#[derive(Debug)]
struct RollingSteps {
    /// (balancer host, argv).
    drain: Vec<(String, Vec<String>)>,
    /// URLs that must answer 200.
    health: Vec<String>,
    enable: Vec<(String, Vec<String>)>,
}

impl RollingSteps {
    fn of(site: &str, service: &str, host: &str) -> Self {
        let documents = Yaml::load_from_str(site).expect("site.yml is YAML");
        let plays = sequence(&documents[0]);
        let group = format!("service_{service}");
        let play = plays
            .iter()
            .find(|p| text(field(p, "hosts")) == group && field(p, "serial").is_some())
            .unwrap_or_else(|| panic!("no rolling play for {service}:\n{site}"));
        let mut steps = RollingSteps { drain: Vec::new(), health: Vec::new(), enable: Vec::new() };
        for task in sequence(field(play, "tasks").expect("tasks")) {
            let name = text(field(task, "name"));
            let items = field(task, "loop").map(sequence).unwrap_or_default();
            let ours = items.iter().filter(|i| text(field(i, "host")) == host);
            if name.starts_with("Drain ") || name.starts_with("Put ") {
                let gates = ours.map(|i| {
                    let argv = sequence(field(i, "argv").expect("argv")).iter().map(|a| text(Some(a))).collect();
                    (text(field(i, "on")), argv)
                });
                if name.starts_with("Drain ") { steps.drain.extend(gates) } else { steps.enable.extend(gates) }
            } else if name.starts_with("Wait until ") {
                steps.health.extend(ours.map(|i| text(field(i, "url"))));
            }
        }
        steps
    }
}

fn sequence<'a>(node: &'a Yaml<'a>) -> &'a [Yaml<'a>] {
    match node {
        Yaml::Sequence(items) => items,
        other => panic!("not a sequence: {other:?}"),
    }
}

fn field<'a>(node: &'a Yaml<'a>, key: &str) -> Option<&'a Yaml<'a>> {
    let Yaml::Mapping(entries) = node else { return None };
    entries.iter().find(|(k, _)| matches!(k, Yaml::Value(Scalar::String(s)) if s == key)).map(|(_, v)| v)
}

fn text(node: Option<&Yaml<'_>>) -> String {
    match node {
        Some(Yaml::Value(Scalar::String(s))) => s.to_string(),
        Some(Yaml::Value(Scalar::Integer(n))) => n.to_string(),
        _ => String::new(),
    }
}

/// Runs a gate command on `balancer` as the playbook would, with the bundle's copy of the
/// program and the test's HAProxy socket for the runtime API's path.
fn run_gate(bundle: &Path, sockets: &[(&str, PathBuf)], balancer: &str, argv: &[String]) {
    assert!(argv.len() > 2 && argv[0].starts_with('/'), "a gate command: {argv:?}");
    let program = bundle.join("hosts").join(balancer).join(argv[0].trim_start_matches('/'));
    assert!(program.is_file(), "the bundle does not install {} on {balancer}", argv[0]);
    assert!(argv[1].starts_with("/run/haproxy/"), "the gate's first argument is HAProxy's socket: {argv:?}");
    let mut command = Command::new(tool("sh"));
    command.arg(&program).arg(socket_of(sockets, balancer)).args(&argv[2..]);
    command.env("PATH", path_with(&tool("socat"))).env("HAPROXY_GATE_TIMEOUT", "20");
    let output = run(&mut command);
    assert!(output.status.success(), "{argv:?} on {balancer}:\n{}", render(&output, &[]));
}

fn socket_of<'a>(sockets: &'a [(&str, PathBuf)], balancer: &str) -> &'a Path {
    &sockets.iter().find(|(b, _)| *b == balancer).unwrap_or_else(|| panic!("no balancer {balancer}")).1
}

/// The status HAProxy's `show stat` gives the server of `host` in backend `api`.
fn server_status(socket: &Path, host: &str) -> String {
    let stat = crate::balancer::runtime_api(socket, "show stat api 4 -1");
    let server = format!("api-{host}");
    stat.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&server.as_str()))
        .and_then(|f| f.get(17).map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// `http://a.b.c.d:port/path` as (authority, path).
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http URL: {url}"));
    let slash = rest.find('/').unwrap_or(rest.len());
    (&rest[..slash], &rest[slash..])
}
