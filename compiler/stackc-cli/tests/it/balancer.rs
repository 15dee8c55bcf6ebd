//! The load balancers of `tests/fixtures/balancer/stack.kdl`, checked by the real programs:
//! `haproxy -c` and `keepalived -t` accept every balancer's generated config (and refuse a
//! broken copy), and HAProxy, run from the generated config in front of two API processes,
//! loses no request while one of them is killed.
//!
//! HAProxy's absolute paths (`/var/lib/haproxy`, `/run/haproxy`) are moved under a temporary
//! root; keepalived runs in a private network namespace that has the interface its config
//! names.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::common::{build_stack, path_with, render, run, tool, workspace};
use crate::http::{Response, get, wait_for};

const STACK: &str = "compiler/stackc-cli/tests/fixtures/balancer/stack.kdl";
const BALANCERS: [&str; 2] = ["lb1", "lb2"];
/// The runtime test's addresses: `--set subnet=127.0.4`.
const SUBNET: &str = "127.0.4";
/// Where the generated config has HAProxy write; moved under the test root.
const MOVED: [&str; 2] = ["/var/lib/haproxy", "/run/haproxy"];

#[test]
fn haproxy_accepts_every_generated_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &[]);
    for host in BALANCERS {
        let root = HaproxyRoot::new(&bundle, host, &dir.path().join(host));
        let output = haproxy_check(&root.config);
        let text = render(&output, &[]);
        assert!(
            output.status.success() && !text.contains("[WARNING]") && !text.contains("[ALERT]"),
            "haproxy -c rejected or warned about the config of {host}:\n{text}"
        );

        // The check is real: a misspelt balance algorithm is refused.
        let generated = fs::read_to_string(&root.config).expect("read config");
        assert!(generated.contains("    balance roundrobin\n"), "{generated}");
        let broken = root.dir.join("broken.cfg");
        fs::write(&broken, generated.replace("balance roundrobin", "balance roundrobinn")).expect("write");
        let output = haproxy_check(&broken);
        assert!(!output.status.success(), "haproxy -c accepted a broken config:\n{}", render(&output, &[]));
    }
}

#[test]
fn keepalived_accepts_every_generated_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &[]);
    for host in BALANCERS {
        let config = bundle.join("hosts").join(host).join("etc/keepalived/keepalived.conf");
        let text = fs::read_to_string(&config).unwrap_or_else(|e| panic!("{}: {e}", config.display()));
        let output = keepalived_check(&config, &text);
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "keepalived -t rejected the config of {host}:\n{}",
            render(&output, &[])
        );

        // The check is real: a router id out of range is refused.
        assert!(text.contains("    virtual_router_id 51\n"), "{text}");
        let broken = dir.path().join(format!("{host}-broken.conf"));
        fs::write(&broken, text.replace("virtual_router_id 51", "virtual_router_id 300")).expect("write");
        let output = keepalived_check(&broken, &text);
        assert!(!output.status.success(), "keepalived -t accepted a broken config:\n{}", render(&output, &[]));
    }
    // The first balancer is the master; there is no VRRP password to leak.
    let master = fs::read_to_string(bundle.join("hosts/lb1/etc/keepalived/keepalived.conf")).expect("read");
    assert!(master.contains("    state MASTER\n") && !master.contains("auth"), "{master}");
}

/// 50 requests a second for 20 seconds through the virtual IP, alternating the two entry
/// points, from five clients; 8 seconds in, one API process is killed with SIGKILL. Every
/// request must be answered with 200 in under 2 seconds.
#[test]
fn haproxy_loses_no_request_when_an_api_server_is_killed() {
    let _lock = loopback_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &["--set", &format!("subnet={SUBNET}")]);
    let mut processes = Processes(Vec::new());

    let api = workspace().join("compiler/stackc-cli/tests/fixtures/balancer/api.py");
    for (name, address) in [("api1", format!("{SUBNET}.21")), ("api2", format!("{SUBNET}.22"))] {
        let mut command = Command::new(tool("python3"));
        command.arg(&api).args(["--name", name, "--address", &address, "--port", "8080", "--delay", "0.05"]);
        processes.start(name, &mut command, dir.path());
    }
    for address in [format!("{SUBNET}.21:8080"), format!("{SUBNET}.22:8080")] {
        wait_for(&format!("the API on {address}"), || get(&address, "/health").is_ok_and(|r| r.status == 200));
    }

    let root = HaproxyRoot::new(&bundle, "lb1", &dir.path().join("lb1"));
    // In the foreground (`-db`), so that it is a child the guard kills.
    processes.start("haproxy", Command::new(tool("haproxy")).arg("-db").arg("-f").arg(&root.config), dir.path());

    let vip = format!("{SUBNET}.100:80");
    // Both servers answer through the balancer before the clock starts.
    let mut seen = [false; 2];
    wait_for("both API servers through HAProxy", || {
        if let Ok(response) = get(&vip, "/") {
            for (i, name) in ["api1", "api2"].iter().enumerate() {
                seen[i] |= response.body.contains(&format!("\"server\": \"{name}\""));
            }
        }
        seen == [true, true]
    });

    // The runtime API socket works: both servers are listed.
    let socket = root.dir.join("run/haproxy/admin.sock");
    let state = runtime_api(&socket, "show servers state api");
    assert!(state.contains("api-api1") && state.contains("api-api2"), "show servers state:\n{state}");

    // The load.
    const CLIENTS: u32 = 5;
    const PER_CLIENT: u32 = 200;
    let period = Duration::from_millis(100);
    let kill_at = Duration::from_secs(8);
    let start = Instant::now();
    let results: Vec<Vec<Sample>> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let vip = vip.clone();
                scope.spawn(move || {
                    let offset = period / CLIENTS * client;
                    (0..PER_CLIENT)
                        .map(|n| {
                            let due = offset + period * n;
                            if let Some(wait) = due.checked_sub(start.elapsed()) {
                                std::thread::sleep(wait);
                            }
                            let path = if (client + n) % 2 == 0 { "/" } else { "/кільце-кільце" };
                            let sent = Instant::now();
                            let result = get(&vip, path);
                            Sample { at: start.elapsed(), path, latency: sent.elapsed(), result }
                        })
                        .collect()
                })
            })
            .collect();
        if let Some(wait) = kill_at.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        processes.kill("api1");
        clients.into_iter().map(|c| c.join().expect("client thread")).collect()
    });
    let killed = kill_at;

    let samples: Vec<&Sample> = results.iter().flatten().collect();
    let total = samples.len();
    let mut failures = Vec::new();
    let mut worst = Duration::ZERO;
    let mut served = [0usize; 2];
    let mut after_kill = [0usize; 2];
    for sample in &samples {
        worst = worst.max(sample.latency);
        match &sample.result {
            Err(error) => failures.push(format!("{:?} {}: {error}", sample.at, sample.path)),
            Ok(response) => {
                let path = format!("\"path\": \"{}\"", sample.path);
                if response.status != 200 || !response.body.contains(&path) {
                    failures.push(format!("{:?} {}: {} {}", sample.at, sample.path, response.status, response.body));
                }
                for (i, name) in ["api1", "api2"].iter().enumerate() {
                    if response.body.contains(&format!("\"server\": \"{name}\"")) {
                        served[i] += 1;
                        // Requests sent well after the kill (health checks have had time) go to api2.
                        if sample.at > killed + Duration::from_secs(3) {
                            after_kill[i] += 1;
                        }
                    }
                }
            }
        }
        if sample.latency >= Duration::from_secs(2) {
            failures.push(format!("{:?} {}: answered in {:?}", sample.at, sample.path, sample.latency));
        }
    }
    println!(
        "{total} requests in {:?}, api1 killed at {killed:?}: {} failed; served by api1: {}, api2: {}; \
         worst latency {worst:?}",
        start.elapsed(),
        failures.len(),
        served[0],
        served[1],
    );
    assert_eq!(total, (CLIENTS * PER_CLIENT) as usize, "every request is counted");
    assert!(failures.is_empty(), "{} of {total} requests failed:\n{}", failures.len(), failures.join("\n"));
    assert!(worst < Duration::from_secs(2), "worst latency {worst:?}");
    assert!(served[0] > 0 && served[1] > 0, "both servers took requests before the kill: {served:?}");
    assert!(after_kill[0] == 0 && after_kill[1] > 0, "after the kill only api2 serves: {after_kill:?}");

    // The health checks took the killed server out; the runtime API drains the other.
    let state = runtime_api(&socket, "show servers state api");
    assert_eq!(operational_state(&state, "api-api1"), Some(0), "api1 should be down:\n{state}");
    assert_eq!(operational_state(&state, "api-api2"), Some(2), "api2 should be up:\n{state}");
    runtime_api(&socket, "set server api/api-api2 state drain");
    let state = runtime_api(&socket, "show servers state api");
    assert_eq!(administrative_state(&state, "api-api2"), Some(8), "api2 should be draining:\n{state}");

    // The Prometheus exporter answers on the balancer's own address.
    let metrics = get(&format!("{SUBNET}.11:8405"), "/metrics").expect("metrics");
    assert_eq!(metrics.status, 200, "{}", metrics.body);
    assert!(metrics.body.contains("haproxy_backend_active_servers{proxy=\"api\"}"), "{}", metrics.body);
}

/// `haproxy -c` on a config.
pub(crate) fn haproxy_check(config: &Path) -> Output {
    run(Command::new(tool("haproxy")).arg("-c").arg("-f").arg(config))
}

/// `keepalived -t` on `config` in a private network namespace that has the interface
/// `generated` (the generated config) names, as one end of a veth pair.
pub(crate) fn keepalived_check(config: &Path, generated: &str) -> Output {
    let interface = generated
        .lines()
        .find_map(|l| l.trim().strip_prefix("interface "))
        .unwrap_or_else(|| panic!("no interface in:\n{generated}"))
        .trim()
        .to_owned();
    let script = "ip link set lo up && ip link add \"$1\" type veth peer name stackc-peer && shift && exec \"$@\"";
    let mut command = Command::new(tool("unshare"));
    command.arg("--net").arg(tool("sh")).arg("-c").arg(script).arg("sh").arg(&interface);
    command.arg(tool("keepalived")).arg("-t").arg("-f").arg(config);
    command.env("PATH", path_with(&tool("ip")));
    run(&mut command)
}

/// A balancer's host tree copied under a test root, HAProxy's paths moved there.
pub(crate) struct HaproxyRoot {
    pub(crate) dir: PathBuf,
    pub(crate) config: PathBuf,
}

impl HaproxyRoot {
    pub(crate) fn new(bundle: &Path, host: &str, dir: &Path) -> Self {
        let source = bundle.join("hosts").join(host).join("etc/haproxy/haproxy.cfg");
        let text = fs::read_to_string(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let root = dir.to_str().expect("utf-8 path");
        let mut moved = text.clone();
        for path in MOVED {
            assert!(text.contains(&format!(" {path}")), "the config no longer names {path}:\n{text}");
            moved = moved.replace(&format!(" {path}"), &format!(" {root}{path}"));
            fs::create_dir_all(dir.join(path.trim_start_matches('/'))).expect("mkdir");
        }
        let config = dir.join("etc/haproxy/haproxy.cfg");
        fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
        fs::write(&config, moved).expect("write config");
        HaproxyRoot { dir: dir.to_owned(), config }
    }
}

/// Children killed with SIGKILL when the test ends, however it ends; their output (in a log
/// file each) is printed when it ends in a panic.
pub(crate) struct Processes(pub(crate) Vec<(String, Child, PathBuf)>);

impl Processes {
    pub(crate) fn start(&mut self, name: &str, command: &mut Command, dir: &Path) {
        let log = dir.join(format!("{name}.log"));
        let file = fs::File::create(&log).expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.0.push((name.to_owned(), child, log));
    }

    /// Stops `name` as systemd does: SIGTERM, then waits for it to exit by itself.
    pub(crate) fn terminate(&mut self, name: &str) {
        let i = self.0.iter().position(|(n, _, _)| n == name).expect("a running process");
        let (_, mut child, log) = self.0.remove(i);
        let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill -TERM");
        assert!(status.success(), "kill -TERM {name}");
        let exit = child.wait().expect("wait");
        assert!(
            exit.success(),
            "{name} exited with {exit} on SIGTERM:\n{}",
            fs::read_to_string(log).unwrap_or_default()
        );
    }

    pub(crate) fn kill(&mut self, name: &str) {
        let i = self.0.iter().position(|(n, _, _)| n == name).expect("a running process");
        let (_, mut child, _) = self.0.remove(i);
        child.kill().expect("kill");
        child.wait().expect("wait");
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.0 {
            let _ = child.kill();
        }
        for (name, child, log) in &mut self.0 {
            let _ = child.wait();
            if std::thread::panicking() {
                eprintln!("--- {name} ---\n{}", fs::read_to_string(log).unwrap_or_default());
            }
        }
    }
}

struct Sample {
    at: Duration,
    path: &'static str,
    latency: Duration,
    result: Result<Response, String>,
}

/// One command on HAProxy's runtime API socket; its answer.
pub(crate) fn runtime_api(socket: &Path, command: &str) -> String {
    let mut stream = UnixStream::connect(socket).unwrap_or_else(|e| panic!("{}: {e}", socket.display()));
    stream.write_all(format!("{command}\n").as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("receive");
    answer
}

/// A column of `show servers state` for one server: `# be_id be_name srv_id srv_name srv_addr
/// srv_op_state srv_admin_state …`.
fn server_state(state: &str, server: &str, column: usize) -> Option<u32> {
    state.lines().map(|l| l.split_whitespace().collect::<Vec<_>>()).find(|f| f.get(3) == Some(&server))?[column]
        .parse()
        .ok()
}

/// `srv_op_state`: 0 stopped, 2 running.
fn operational_state(state: &str, server: &str) -> Option<u32> {
    server_state(state, server, 5)
}

/// `srv_admin_state`: 8 is drain set from the runtime API.
fn administrative_state(state: &str, server: &str) -> Option<u32> {
    server_state(state, server, 6)
}

/// The runtime test binds fixed loopback addresses: one at a time, in this process (the
/// mutex) and across test processes on the machine (the file lock).
pub(crate) fn loopback_lock() -> (MutexGuard<'static, ()>, fs::File) {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = std::env::temp_dir().join("stackc-balancer-loopback.lock");
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).expect("lock file");
    file.lock().expect("lock");
    (guard, file)
}
