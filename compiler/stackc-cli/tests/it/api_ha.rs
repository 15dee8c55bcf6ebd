//! `stacks/api-ha.kdl`, seed system S1, item by item. The generated configs are checked by
//! the programs that read them (haproxy -c, keepalived -t, nginx -t, visudo -c, sshd -t,
//! ansible-playbook --syntax-check and ansible-lint), and the stack is run for real on
//! loopback addresses
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

use crate::ansible::Ansible;
use crate::balancer::{HaproxyRoot, Processes, haproxy_check, keepalived_check, loopback_lock};
use crate::common::{Cert, build_stack, files_under, hadolint, path_with, render, run, tool, workspace};
use crate::http::{Response, get, wait_for};
use crate::nginx;
use crate::systemd::{directive, words};

pub(crate) const STACK: &str = "stacks/api-ha.kdl";
/// The runtime test's addresses: `--set subnet=127.0.5`.
const SUBNET: &str = "127.0.5";
const API_HOSTS: [&str; 2] = ["api1", "api2"];
const BALANCERS: [&str; 2] = ["lb1", "lb2"];
/// Requests slower than this are failures (S1.5).
const BUDGET: Duration = Duration::from_secs(2);

fn built(dir: &Path) -> PathBuf {
    build_stack(STACK, &dir.join("out"), &[])
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// S1.1: the API servers run the stack's own API with Debian's Node.js, under systemd.
#[test]
fn s1_1_the_api_servers_run_the_stacks_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    for host in API_HOSTS {
        let tree = bundle.join("hosts").join(host);
        for file in ["server.js", "package.json"] {
            let shipped = read(&tree.join("opt/api").join(file));
            assert_eq!(shipped, read(&workspace().join("stacks/api-ha/api").join(file)), "{host}: {file}");
        }
        let unit = read(&tree.join("etc/systemd/system/api.service"));
        assert_eq!(words(directive(&unit, "ExecStart")), ["/usr/bin/node", "/opt/api/server.js"], "{unit}");
        assert_eq!(directive(&unit, "User"), "api", "{unit}");
    }
}

/// S1.6: the API's image is built by a multi-stage Dockerfile on the Node.js image that
/// hadolint passes, and the GitLab pipeline that builds, pushes and deploys it is valid and
/// holds no credential.
#[test]
fn s1_6_the_image_and_its_pipeline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    let dockerfile = bundle.join("services/api/image/Dockerfile");
    let text = read(&dockerfile);
    assert_eq!(text.lines().filter(|l| l.starts_with("FROM node:")).count(), 2, "two stages:\n{text}");
    let output = hadolint(&dockerfile, dir.path());
    assert!(output.status.success() && output.stdout.is_empty(), "hadolint:\n{}", render(&output, &[]));

    let pipeline = bundle.join("services/api/.gitlab-ci.yml");
    let output =
        run(Command::new(tool("check-jsonschema")).args(["--builtin-schema", "vendor.gitlab-ci"]).arg(&pipeline));
    assert!(output.status.success(), "check-jsonschema vendor.gitlab-ci:\n{}", render(&output, &[]));
    let text = read(&pipeline);
    for expected in ["build \"stacks/api-ha.kdl\" --locked", "registry.gitlab.com/acme/api-ha/api:$CI_COMMIT_SHORT_SHA"]
    {
        assert!(text.contains(expected), "the pipeline lacks `{expected}`:\n{text}");
    }
    assert_eq!(crate::app::credential_literals(&text), Vec::<String>::new(), "{text}");
}

/// S1.8: Prometheus accepts its config, scrapes the API servers, the balancers and the web
/// server, probes both entry points (the non-ASCII path percent-encoded), and its shipped
/// unit tests make the service-level alerts fire.
#[test]
fn s1_8_monitoring_scrapes_every_tier_and_probes_both_entry_points() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    let etc = crate::slo::prometheus_root(&bundle, &dir.path().join("root"));
    let output = run(Command::new(tool("promtool")).args(["check", "config"]).arg(etc.join("prometheus.yml")));
    assert!(output.status.success(), "promtool check config:\n{}", render(&output, &[]));
    let tests = bundle.join("services/prometheus");
    let output = run(Command::new(tool("promtool")).args(["test", "rules", "rules_test.yml"]).current_dir(&tests));
    assert!(output.status.success(), "promtool test rules:\n{}", render(&output, &[]));
    let rules = read(&etc.join("rules/prometheus.yml"));
    for alert in ["EntryPointSlow", "EntryPointServerError", "EntryPointFailed", "BackendServerError"] {
        assert!(
            rules.contains(&format!("alert: {alert}")) || rules.contains(&format!("alert: \"{alert}\"")),
            "{alert}:\n{rules}"
        );
    }
    let config = read(&etc.join("prometheus.yml"));
    let ring = "%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5-%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5";
    for line in [
        "- job_name: \"probe-balancers\"".to_owned(),
        "- job_name: \"probe-landing\"".to_owned(),
        format!("- \"http://10.30.0.11:80/{ring}\""),
        format!("- \"http://10.30.0.31:80/api/{ring}\""),
        "- job_name: \"api\"".to_owned(),
        "- targets: [\"10.30.0.21:8080\"]".to_owned(),
        "- targets: [\"10.30.0.12:8405\"]".to_owned(),
        "- targets: [\"10.30.0.31:9113\"]".to_owned(),
    ] {
        assert!(config.contains(&line), "no `{line}` in:\n{config}");
    }
}

/// S1.2: the landing page fetches an entry point by AJAX through its own server, whose nginx
/// accepts its generated config with the `/api/` proxy to both balancers.
#[test]
fn s1_2_the_landing_page_calls_the_api_through_its_web_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    let page = read(&bundle.join("hosts/web1/var/www/landing/index.html"));
    assert_eq!(page, read(&workspace().join("stacks/api-ha/site/index.html")), "the page is the stack's own");
    assert!(page.contains("fetch(\"/api/\""), "the page calls the API under /api/:\n{page}");
    let conf: String = fs::read_dir(bundle.join("hosts/web1/etc/nginx/conf.d"))
        .expect("conf.d")
        .map(|e| read(&e.expect("entry").path()))
        .collect();
    for balancer in ["10.30.0.11:80", "10.30.0.12:80"] {
        assert!(conf.contains(&format!("server {balancer}")), "{balancer} is an upstream of /api/:\n{conf}");
    }
    nginx::check_every_nginx_host(STACK, &["web1"]);
}

/// S1.3–S1.5: both balancers' HAProxy configs and keepalived configs are accepted; least
/// connections, active checks, retries on another server.
#[test]
fn s1_3_s1_4_s1_5_the_balancers_configs_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    for host in BALANCERS {
        let root = HaproxyRoot::new(&bundle, host, &dir.path().join(host));
        let output = haproxy_check(&root.config);
        let text = render(&output, &[]);
        assert!(output.status.success() && !text.contains("[WARNING]"), "haproxy -c on {host}:\n{text}");
        let config = read(&root.config);
        for line in ["balance leastconn", "option redispatch", "retry-on ", "check inter 500ms", "bind 10.30.0.100:80"]
        {
            assert!(config.contains(line), "{host} lacks `{line}`:\n{config}");
        }
        let keepalived = bundle.join("hosts").join(host).join("etc/keepalived/keepalived.conf");
        let text = read(&keepalived);
        let output = keepalived_check(&keepalived, &text);
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "keepalived -t on {host}:\n{}",
            render(&output, &[])
        );
    }
}

/// S1.7: the playbook passes Ansible's checks, and the API's play is the rolling one: one
/// host at a time, drained from both balancers, updated, checked, put back, in that order.
#[test]
fn s1_7_the_playbook_delivers_one_api_server_at_a_time() {
    let ansible = Ansible::of(STACK);
    ansible.assert_playbook_passes_checks();

    let site = read(&ansible.bundle.join("ansible/site.yml"));
    let play = site.split("\n- name: ").find(|p| p.contains("api (app)")).expect("the API's play");
    assert!(play.contains("\n  serial: 1\n"), "{play}");
    let order = [
        "Drain from lb: {{ inventory_hostname }}",
        "Install files",
        "Restart what changed",
        "Wait until api answers",
        "Put back into lb: {{ inventory_hostname }}",
    ];
    let positions: Vec<usize> =
        order.iter().map(|step| play.find(step).unwrap_or_else(|| panic!("no step `{step}`:\n{play}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "steps out of order {positions:?}:\n{play}");
    for host in API_HOSTS {
        let steps = RollingSteps::of(&site, "api", host);
        let balancers: Vec<&str> = steps.drain.iter().map(|(on, _)| on.as_str()).collect();
        assert_eq!(balancers, BALANCERS, "{host}: {steps:?}");
        assert_eq!(steps.drain[0].1[2..], ["drain", "api", &format!("api-{host}")], "{steps:?}");
        assert_eq!(steps.health, [format!("http://10.30.0.{}:8080/health", if host == "api1" { 21 } else { 22 })]);
    }
}

/// S1.9: every host gets the administrators' accounts with their public keys, a sudo rule
/// visudo accepts and SSH settings sshd accepts; no private key or password is anywhere in
/// the bundle or beside the stack.
#[test]
fn s1_9_administrators_log_in_with_keys_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = built(dir.path());
    let site = read(&bundle.join("ansible/site.yml"));
    for admin in ["olena", "taras"] {
        let key = read(&workspace().join(format!("stacks/api-ha/keys/{admin}.pub")));
        assert!(site.contains(&format!("content: \"{}\\n\"", key.trim())), "{admin}'s key:\n{site}");
        assert!(site.contains(&format!("Create login account {admin}")), "{site}");
    }
    for host in ["api1", "api2", "lb1", "lb2", "web1", "mon1"] {
        let tree = bundle.join("hosts").join(host);
        let sudoers = tree.join("etc/sudoers.d/stackc-admins");
        let output = run(Command::new(tool("visudo")).arg("-c").arg("-f").arg(&sudoers));
        assert!(output.status.success(), "visudo -c on {host}:\n{}", render(&output, &[]));
        let sshd = tree.join("etc/ssh/sshd_config.d/50-stackc-admins.conf");
        assert!(read(&sshd).contains("PasswordAuthentication no"));
        sshd_check(&sshd, dir.path());
    }
    // The check is real: sshd refuses a setting it does not know.
    let broken = dir.path().join("broken.conf");
    fs::write(&broken, "PermitRootLogin maybe\n").expect("write");
    let output = sshd_test(&broken, dir.path());
    assert!(!output.status.success(), "sshd -t accepted a broken config");

    let mut scanned = vec![workspace().join("stacks/api-ha.kdl")];
    for dir in [workspace().join("stacks/api-ha"), bundle.clone()] {
        scanned.extend(files_under(&dir, &[]).into_iter().map(|path| dir.join(path)));
    }
    for file in scanned {
        let bytes = fs::read(&file).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY"), "{} holds a private key", file.display());
    }
}

/// `sshd -t` on `config`, which must pass.
fn sshd_check(config: &Path, dir: &Path) {
    let output = sshd_test(config, dir);
    assert!(output.status.success(), "sshd -t on {}:\n{}", config.display(), render(&output, &[]));
}

/// `sshd -t -f config` with a throwaway host key, in a private mount namespace whose `/run`
/// has the privilege separation directory sshd insists on.
fn sshd_test(config: &Path, dir: &Path) -> std::process::Output {
    let key = dir.join("host_key");
    if !key.exists() {
        let output = run(Command::new(tool("ssh-keygen")).args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key));
        assert!(output.status.success(), "ssh-keygen:\n{}", render(&output, &[]));
    }
    let script = "mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && exec \"$@\"";
    let mut command = Command::new(tool("unshare"));
    command.arg("--mount").arg(tool("sh")).arg("-c").arg(script).arg("sh");
    command.arg(tool("sshd")).arg("-t").arg("-f").arg(config).arg("-h").arg(&key);
    command.env("PATH", path_with(&tool("mount")));
    run(&mut command)
}

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

/// Starts the API of `host` as its generated systemd unit and its drop-ins say: its program
/// and arguments, with the paths of its host tree in the bundle, and its environment.
fn start_api(bundle: &Path, host: &str, processes: &mut Processes, dir: &Path) {
    let tree = bundle.join("hosts").join(host);
    let units = tree.join("etc/systemd/system");
    let unit_path = fs::read_dir(&units)
        .expect("the host's systemd units")
        .map(|e| e.expect("entry").path())
        .find(|p| p.is_file() && read(p).contains("node"))
        .unwrap_or_else(|| panic!("no unit of {host} runs node"));
    let mut text = read(&unit_path);
    let drop_ins = units.join(format!("{}.d", unit_path.file_name().and_then(|n| n.to_str()).expect("a name")));
    if drop_ins.is_dir() {
        let mut confs: Vec<PathBuf> =
            fs::read_dir(&drop_ins).expect("drop-ins").map(|e| e.expect("entry").path()).collect();
        confs.sort();
        for conf in confs {
            text.push_str(&read(&conf));
        }
    }
    let unit = Unit::parse(&text);
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
        let argv = words(directive(text, "ExecStart"));
        let mut environment = Vec::new();
        for assignments in text.lines().filter_map(|l| l.strip_prefix("Environment=")) {
            for word in words(assignments) {
                let (name, value) = word.split_once('=').unwrap_or_else(|| panic!("`{word}` in:\n{text}"));
                environment.push((name.to_owned(), value.to_owned()));
            }
        }
        Unit { argv, environment }
    }
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
    let stat = crate::balancer::runtime_api(socket, "show stat -1 4 -1");
    let server = format!("api-{host}");
    stat.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&"api") && f.get(1) == Some(&server.as_str()))
        .and_then(|f| f.get(17).map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// `http://a.b.c.d:port/path` as (authority, path).
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http URL: {url}"));
    let slash = rest.find('/').unwrap_or(rest.len());
    (&rest[..slash], &rest[slash..])
}
