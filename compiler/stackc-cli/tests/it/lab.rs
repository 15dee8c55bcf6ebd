//! `stacks/bookworm-lab.kdl` checked with the real programs: five etcd members started from
//! the generated configs, on loopback addresses given with `--set`, survive losing two members
//! (the leader among them); three members (`--set etcd_members=3`) survive losing one.
//!
//! Only `data-dir` is moved under a temporary directory; every other line runs as generated.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{build_stack, render, tool};

const STACK: &str = "stacks/bookworm-lab.kdl";

/// `--set` overrides for `members` etcd members on 127.0.1.21, 127.0.1.22, …: the stack puts
/// member i at `<etcd_subnet>.<20 + i>`.
fn etcd_overrides(members: usize) -> Vec<String> {
    ["--set", "etcd_subnet=127.0.1", "--set", &format!("etcd_members={members}")].map(str::to_owned).to_vec()
}

fn client_url(member: usize) -> String {
    format!("http://127.0.1.{}:2379", 20 + member)
}

/// Processes killed with SIGKILL when the test ends, however it ends.
struct Processes(Vec<(usize, Child)>);

impl Processes {
    fn kill(&mut self, member: usize) {
        if let Some(pos) = self.0.iter().position(|(m, _)| *m == member) {
            let (_, mut child) = self.0.remove(pos);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
        }
        for (_, child) in &mut self.0 {
            let _ = child.wait();
        }
    }
}

fn etcdctl(endpoints: &[usize], args: &[&str]) -> Output {
    let endpoints: Vec<String> = endpoints.iter().map(|&m| client_url(m)).collect();
    Command::new(tool("etcdctl"))
        .env("ETCDCTL_API", "3")
        .arg(format!("--endpoints={}", endpoints.join(",")))
        .args(args)
        .output()
        .expect("run etcdctl")
}

fn logs(dir: &Path) -> String {
    let mut text = String::new();
    for member in 1..=5 {
        let log = fs::read_to_string(dir.join(format!("etcd{member}.log"))).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        text.push_str(&format!(
            "--- etcd{member} (last lines) ---\n{}\n",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    text
}

/// Retries `put` with a short command timeout: a write sent right after the leader died can
/// wait for the dead leader until the timeout.
fn put_with_retries(endpoints: &[usize], key: &str, value: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..20 {
        let output = etcdctl(endpoints, &["--command-timeout=1s", "put", key, value]);
        if output.status.success() {
            return Ok(());
        }
        last = render(&output, &[]);
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(last)
}

fn get(endpoints: &[usize], key: &str) -> Output {
    etcdctl(endpoints, &["--command-timeout=2s", "get", "--print-value-only", key])
}

#[test]
fn etcd_cluster_survives_two_failed_members_including_the_leader() {
    etcd_cluster_survives_failures(5);
}

/// The same stack with `--set etcd_members=3`: three hosts, `tolerate` one.
#[test]
fn three_etcd_members_survive_one_failed_member_the_leader() {
    etcd_cluster_survives_failures(3);
}

/// Starts `members` members, then kills the leader and, with five, another member: the
/// survivors still take writes and serve reads.
fn etcd_cluster_survives_failures(members: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let overrides = etcd_overrides(members);
    let extra: Vec<&str> = overrides.iter().map(String::as_str).collect();
    let bundle = build_stack(STACK, &dir.path().join("out"), &extra);
    assert!(!bundle.join(format!("hosts/etcd{}", members + 1)).exists(), "only {members} members");

    let mut processes = Processes(Vec::new());
    for member in 1..=members {
        let generated = bundle.join(format!("hosts/etcd{member}/etc/etcd/etcd.conf.yml"));
        let text = fs::read_to_string(&generated).expect("the generated etcd config");
        assert!(text.contains(&format!("listen-client-urls: {}\n", client_url(member))), "{text}");
        let data_dir = dir.path().join(format!("data{member}"));
        let mut moved = 0;
        let text: String = text
            .lines()
            .map(|line| {
                if line.starts_with("data-dir: ") {
                    moved += 1;
                    format!("data-dir: {}\n", data_dir.display())
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert_eq!(moved, 1, "one data-dir line in {}", generated.display());
        let config = dir.path().join(format!("etcd{member}.yml"));
        fs::write(&config, text).expect("write config");
        let log = fs::File::create(dir.path().join(format!("etcd{member}.log"))).expect("log file");
        let child = Command::new(tool("etcd"))
            .arg("--config-file")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start etcd");
        processes.0.push((member, child));
    }

    let all: Vec<usize> = (1..=members).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let output = etcdctl(&all, &["--command-timeout=2s", "endpoint", "health"]);
        if output.status.success() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cluster did not become healthy:\n{}\n{}",
            render(&output, &[]),
            logs(dir.path())
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    put_with_retries(&all, "lab", "before").unwrap_or_else(|e| panic!("put failed:\n{e}\n{}", logs(dir.path())));
    let output = get(&all, "lab");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "before", "{}", render(&output, &[]));

    // `simple` status lines: endpoint, ID, version, DB size, is leader, …
    let output = etcdctl(&all, &["--command-timeout=2s", "endpoint", "status", "-w", "simple"]);
    assert!(output.status.success(), "{}", render(&output, &[]));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let leader = all
        .iter()
        .copied()
        .find(|&m| {
            stdout.lines().any(|line| {
                let fields: Vec<&str> = line.split(", ").collect();
                fields.first() == Some(&client_url(m).as_str()) && fields.get(4) == Some(&"true")
            })
        })
        .unwrap_or_else(|| panic!("no leader in:\n{stdout}"));
    // The members the cluster can lose: the leader first.
    let tolerated = (members - 1) / 2;
    let mut killed = vec![leader];
    killed.extend(all.iter().copied().filter(|&m| m != leader).take(tolerated - 1));
    for &member in &killed {
        processes.kill(member);
    }
    let survivors: Vec<usize> = all.iter().copied().filter(|m| !killed.contains(m)).collect();
    assert_eq!(survivors.len(), members - tolerated);

    put_with_retries(&survivors, "lab", "after").unwrap_or_else(|e| {
        panic!("put failed after killing {killed:?} (etcd{leader} the leader):\n{e}\n{}", logs(dir.path()))
    });
    let output = get(&survivors, "lab");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "after", "{}", render(&output, &[]));
    drop(processes);
}

const PROBE_SERVICE_DIR: &str = "etc/service/stackc-probe-probe";
const PROBE_UNIT: &str = "etc/systemd/system/stackc-probe-probe.service";

#[test]
fn probe_run_scripts_pass_shellcheck_and_its_unit_passes_systemd_analyze() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("daemontools"), &[]);
    let service = bundle.join("hosts/mon1").join(PROBE_SERVICE_DIR);
    let run = fs::read_to_string(service.join("run")).expect("run");
    let log_run = fs::read_to_string(service.join("log/run")).expect("log/run");
    assert!(run.starts_with("#!/bin/sh\n") && run.contains("\nexec 2>&1\n"), "{run}");
    assert!(run.contains("\nexec setuidgid stackc-probe /usr/bin/python3 "), "{run}");
    assert!(log_run.contains("\nexec setuidgid stackc-probe multilog t s65536 n5 ./main\n"), "{log_run}");
    let output = Command::new(tool("shellcheck"))
        .args(["-s", "sh", "-f", "gcc"])
        .arg(service.join("run"))
        .arg(service.join("log/run"))
        .output()
        .expect("run shellcheck");
    assert!(output.status.success(), "shellcheck:\n{}", render(&output, &[]));
    assert!(!bundle.join("hosts/mon1").join(PROBE_UNIT).exists(), "a unit for a daemontools process");

    let bundle = build_stack(STACK, &dir.path().join("systemd"), &["--set", "probe_supervisor=systemd"]);
    let unit = bundle.join("hosts/mon1").join(PROBE_UNIT);
    let text = fs::read_to_string(&unit).expect("the probe's unit");
    assert!(text.contains("\nUser=stackc-probe\n") && text.contains("\nRestart=always\n"), "{text}");
    assert!(!bundle.join("hosts/mon1").join(PROBE_SERVICE_DIR).exists(), "a service directory for a systemd process");
    let output = Command::new(tool("systemd-analyze")).args(["verify", "--man=no"]).arg(&unit).output().expect("run");
    // Unknown keys only warn, with exit code 0: any output is a failure.
    assert!(
        output.status.success() && output.stderr.is_empty() && output.stdout.is_empty(),
        "systemd-analyze verify:\n{}",
        render(&output, &[])
    );
}

/// A fake Prometheus (`/api/v1/query`) and a fake nginx `stub_status` page.
const FAKE_SERVERS: &str = r#"
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def send(self, body, content_type):
        body = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Fake", "stackc-test")
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path.startswith("/api/v1/query?"):
            result = [{"metric": {"__name__": "node_load1", "instance": i}, "value": [1700000000.0, v]}
                      for i, v in (("web1:9100", "0.25"), ("proxy1:9100", "1.5"))]
            self.send(json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}), "application/json")
        elif self.path == "/nginx_status":
            self.send("Active connections: 1 \nserver accepts handled requests\n 7 7 9 \nReading: 0 Writing: 1 Waiting: 0 \n", "text/plain")
        else:
            self.send_error(404)

for address, port in ((sys.argv[1], int(sys.argv[2])), (sys.argv[3], int(sys.argv[4]))):
    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
"#;

/// Checks the probe's records; prints a summary line.
const CHECK_RECORDS: &str = r#"
import json, sys
loads = statuses = 0
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    if record["kind"] == "load":
        assert "error" not in record, record
        assert record["load"] == {"proxy1:9100": 1.5, "web1:9100": 0.25}, record
        loads += 1
    elif record["kind"] == "stub_status":
        assert "error" not in record, record
        request, response = record["request"], record["response"]
        assert request["method"] == "GET" and request["url"] == sys.argv[2], record
        assert request["headers"]["Host"], record
        assert response["status"] == 200, record
        headers = dict((k.lower(), v) for k, v in response["headers"])
        assert headers["x-fake"] == "stackc-test" and headers["content-type"] == "text/plain", record
        assert response["body"].startswith("Active connections: 1"), record
        statuses += 1
    else:
        raise AssertionError(record)
assert loads >= 2 and statuses >= 2, (loads, statuses)
print("loads", loads, "statuses", statuses)
"#;

/// svscan and the fake servers; on drop, svscan is killed first (or it would restart
/// supervise), then the service and its log are brought down with `svc -dx`.
struct Supervision {
    svscan: Option<Child>,
    fakes: Option<Child>,
    services: Vec<PathBuf>,
}

impl Drop for Supervision {
    fn drop(&mut self) {
        if let Some(mut svscan) = self.svscan.take() {
            let _ = svscan.kill();
            let _ = svscan.wait();
        }
        for service in &self.services {
            let _ = Command::new(tool("svc")).arg("-dx").arg(service).status();
        }
        if let Some(mut fakes) = self.fakes.take() {
            let _ = fakes.kill();
            let _ = fakes.wait();
        }
    }
}

/// `(pid, seconds)` from `svstat`, when the service is up.
fn svstat(service: &Path) -> Option<(u32, u64)> {
    let output = Command::new(tool("svstat")).arg(service).output().expect("run svstat");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let rest = text.split_once(": up (pid ")?.1;
    let (pid, rest) = rest.split_once(") ")?;
    let seconds = rest.split_whitespace().next()?;
    Some((pid.parse().ok()?, seconds.parse().ok()?))
}

fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn chown_nobody(path: &Path) {
    std::os::unix::fs::chown(path, Some(65534), Some(65534)).expect("chown nobody");
}

#[test]
fn probe_records_load_and_stub_status_under_daemontools() {
    use std::os::unix::fs::PermissionsExt;

    const WEB: &str = "127.0.3.2";
    const MON1: &str = "127.0.3.1";
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).expect("chmod");
    let bundle = build_stack(
        STACK,
        &root.join("out"),
        &[
            "--set",
            "mon1_address=127.0.3.1",
            "--set",
            &format!("web1_address={WEB}"),
            "--set",
            "probe_log_max_bytes=4096",
        ],
    );
    let mon1 = bundle.join("hosts/mon1");

    // The generated config names Prometheus and the site's status page through references
    // (fakes answer there); the test only shortens the interval and moves the output file.
    let generated = fs::read_to_string(mon1.join("etc/stackc-probe/probe.json")).expect("probe config");
    let status_url = format!("http://{WEB}:80/nginx_status");
    assert!(generated.contains(&format!("\"{status_url}\"")), "{generated}");
    assert!(generated.contains(&format!("\"http://{MON1}:9090/\"")), "Prometheus from the reference: {generated}");
    let state = root.join("state");
    fs::create_dir(&state).expect("mkdir");
    chown_nobody(&state);
    let output_file = state.join("probe.jsonl");
    let config = root.join("probe.json");
    let rewrite = Command::new(tool("python3"))
        .args([
            "-c",
            "import json,sys; c=json.load(open(sys.argv[1])); c['interval']=1; c['timeout']=2; \
             c['output']=sys.argv[3]; json.dump(c, open(sys.argv[2],'w'))",
        ])
        .arg(mon1.join("etc/stackc-probe/probe.json"))
        .arg(&config)
        .arg(&output_file)
        .output()
        .expect("python3");
    assert!(rewrite.status.success(), "{}", render(&rewrite, &[]));
    let program = root.join("probe.py");
    fs::copy(mon1.join("usr/local/lib/stackc-probe/probe.py"), &program).expect("copy probe.py");

    // The service directory, with the absolute paths moved under the temporary root and the
    // (not yet created) system user replaced by `nobody`.
    let service = root.join("service/probe");
    fs::create_dir_all(service.join("log/main")).expect("mkdir");
    chown_nobody(&service.join("log/main"));
    let generated_dir = mon1.join(PROBE_SERVICE_DIR);
    let run = fs::read_to_string(generated_dir.join("run"))
        .expect("run")
        .replace("cd /var/lib/stackc-probe ", &format!("cd {} ", state.display()))
        .replace("/usr/local/lib/stackc-probe/probe.py", program.to_str().expect("utf-8"))
        .replace("/etc/stackc-probe/probe.json", config.to_str().expect("utf-8"))
        .replace("setuidgid stackc-probe ", "setuidgid nobody ");
    let log_run = fs::read_to_string(generated_dir.join("log/run"))
        .expect("log/run")
        .replace("setuidgid stackc-probe ", "setuidgid nobody ");
    assert!(log_run.contains(" multilog t s4096 n5 ./main\n"), "{log_run}");
    for (path, text) in [(service.join("run"), run), (service.join("log/run"), log_run)] {
        fs::write(&path, text).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    let fake_script = root.join("fake.py");
    fs::write(&fake_script, FAKE_SERVERS).expect("write fake servers");
    let mut supervision =
        Supervision { svscan: None, fakes: None, services: vec![service.clone(), service.join("log")] };
    let mut fakes = Command::new(tool("python3"))
        .arg(&fake_script)
        .args([WEB, "80", MON1, "9090"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fake servers");
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(fakes.stdout.take().expect("stdout")), &mut ready)
        .expect("read");
    supervision.fakes = Some(fakes);
    assert_eq!(ready.trim(), "ready", "the fake servers did not start");

    let svscan_log = fs::File::create(root.join("svscan.log")).expect("log");
    supervision.svscan = Some(
        Command::new(tool("svscan"))
            .arg(root.join("service"))
            .stdin(Stdio::null())
            .stdout(svscan_log.try_clone().expect("log"))
            .stderr(svscan_log)
            .spawn()
            .expect("start svscan"),
    );
    let diagnostics = || {
        format!(
            "svscan/supervise:\n{}\nlog:\n{}",
            fs::read_to_string(root.join("svscan.log")).unwrap_or_default(),
            fs::read_to_string(service.join("log/main/current")).unwrap_or_default()
        )
    };

    // Records: load per instance from Prometheus, the stub_status exchange with headers.
    let check_script = root.join("check.py");
    fs::write(&check_script, CHECK_RECORDS).expect("write check");
    let check = || {
        Command::new(tool("python3")).arg(&check_script).arg(&output_file).arg(&status_url).output().expect("python3")
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let output = check();
        if output.status.success() {
            break;
        }
        assert!(Instant::now() < deadline, "the probe's records:\n{}\n{}", render(&output, &[]), diagnostics());
        std::thread::sleep(Duration::from_millis(500));
    }

    // supervise restarts the probe after kill -9: a new pid whose uptime grows.
    let (pid, _) = wait_until("the probe to be up", Duration::from_secs(10), || svstat(&service));
    let killed = Command::new(tool("kill")).args(["-9", &pid.to_string()]).status().expect("kill");
    assert!(killed.success());
    let (new_pid, _) =
        wait_until("a restarted probe", Duration::from_secs(10), || svstat(&service).filter(|(p, _)| *p != pid));
    std::thread::sleep(Duration::from_millis(2500));
    let (same_pid, seconds) = svstat(&service).unwrap_or_else(|| panic!("the probe is down\n{}", diagnostics()));
    assert_eq!(same_pid, new_pid, "the restarted probe keeps crashing\n{}", diagnostics());
    assert!(seconds >= 2, "uptime {seconds} s after 2.5 s\n{}", diagnostics());

    // multilog rotates at the configured size and keeps at most n-1 archived files.
    let main = service.join("log/main");
    wait_until("multilog to rotate", Duration::from_secs(30), || {
        let archived = fs::read_dir(&main)
            .expect("log/main")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with('@'))
            .count();
        (archived >= 1).then_some(())
    });
    for entry in fs::read_dir(&main).expect("log/main").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "current" || name.starts_with('@') {
            let size = entry.metadata().expect("metadata").len();
            assert!(size <= 4096, "{name} has {size} bytes, more than the configured 4096");
        }
        if name.starts_with('@') {
            let text = fs::read_to_string(entry.path()).expect("archived log");
            assert!(text.starts_with('@'), "multilog's `t` puts a TAI64N stamp first: {text}");
        }
    }
    drop(supervision);
}

/// The lab's playbook passes `--syntax-check` and ansible-lint, starts svscan and waits for
/// supervise, and ends with checks of etcd's health and of the probe's growing output.
#[test]
fn lab_playbook_passes_ansible_lint_and_verifies_etcd_and_the_probe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &[]);
    let site = fs::read_to_string(bundle.join("ansible/site.yml")).expect("site.yml");
    for expected in [
        "name: daemontools-run.service",
        "\"/etc/service/stackc-probe-probe/supervise/ok\"",
        "- name: \"Create system user stackc-probe\"",
        "- name: \"Etcd members are healthy\"",
        "- \"--cluster\"",
        "- name: \"Probe is appending records\"",
    ] {
        assert!(site.contains(expected), "site.yml lacks `{expected}`:\n{site}");
    }
    let home = dir.path().join("home");
    fs::create_dir_all(&home).expect("mkdir home");
    let run = |program: &str, args: &[&str]| {
        let program = tool(program);
        let mut path = vec![crate::common::workspace().join(".venv/bin"), program.parent().expect("parent").to_owned()];
        path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        Command::new(&program)
            .args(args)
            .current_dir(bundle.join("ansible"))
            .env("PATH", std::env::join_paths(path).expect("PATH"))
            .env("HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("NO_COLOR", "1")
            .output()
            .expect("run an Ansible tool")
    };
    let output = run("ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "site.yml"]);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
    let output = run("ansible-lint", &["--offline"]);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");
}

/// The probe's verification command, taken from the playbook, passes on a growing file and
/// fails on a still one.
#[test]
fn probe_verification_detects_a_growing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = build_stack(STACK, &dir.path().join("out"), &[]);
    let site = fs::read_to_string(bundle.join("ansible/site.yml")).expect("site.yml");
    let task = site.split("- name: \"Probe is appending records\"").nth(1).expect("the probe's check");
    let argv: Vec<String> = task
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("argv:"))
        .skip(1)
        .map_while(|l| l.trim_start().strip_prefix("- "))
        .map(|item| item.trim_matches('"').to_owned())
        .collect();
    assert_eq!(argv.len(), 4, "{argv:?}");
    assert_eq!(argv[2], "/var/lib/stackc-probe/probe.jsonl");
    let script = bundle.join("hosts/mon1").join(argv[1].trim_start_matches('/'));
    let file = dir.path().join("probe.jsonl");
    fs::write(&file, "{}\n").expect("write");
    let check = |timeout: &str| Command::new(&argv[0]).arg(&script).arg(&file).arg(timeout).output().expect("python3");
    let still = check("1");
    assert_eq!(still.status.code(), Some(1), "a file that does not grow:\n{}", render(&still, &[]));
    let writer = {
        let file = file.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700));
            let mut text = fs::read_to_string(&file).expect("read");
            text.push_str("{}\n");
            fs::write(&file, text).expect("append");
        })
    };
    let growing = check("5");
    writer.join().expect("writer");
    assert!(growing.status.success(), "a growing file:\n{}", render(&growing, &[]));
}

/// Too few members for `tolerate`, or an even number of them, is an error at the stack file.
#[test]
fn etcd_refuses_too_few_or_an_even_number_of_members() {
    // Four members: `tolerate` is 4 / 2 = 2, which needs five.
    let output = crate::common::stackc()
        .current_dir(crate::common::workspace())
        .args(["check", STACK, "--set", "etcd_members=4"])
        .output()
        .expect("run stackc");
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("surviving 2 failed members needs 5 members, but the service is placed on 4 hosts"),
        "{text}"
    );
    assert!(text.contains("tolerate (fmt)\"{etcd_members / 2}\""), "the error points at `tolerate`:\n{text}");

    let scratch = crate::common::Scratch::new();
    let mut stack = String::from("stack \"even\"\n");
    for i in 1..=4 {
        stack.push_str(&format!("host \"e{i}\" address=\"10.0.0.{i}\" {{\n    groups \"etcd\"\n}}\n"));
    }
    stack.push_str("service \"kv\" plugin=\"etcd\" on=\"etcd\" {\n    tolerate 1\n}\n");
    scratch.write("even.kdl", &stack);
    let output = scratch.stackc(&["check", "even.kdl"]).output().expect("run stackc");
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("an etcd cluster needs an odd number of members, but the service is placed on 4 hosts"),
        "{text}"
    );
    assert!(text.contains("service \"kv\""), "the error points at the service:\n{text}");
}

/// Hosts labelled `container="<image>"` get a `containers.yml` that creates them with
/// community.docker; it passes `--syntax-check` and ansible-lint.
#[test]
fn container_hosts_get_a_docker_play_that_passes_ansible_lint() {
    let scratch = crate::common::Scratch::new();
    scratch.write(
        "boxes.kdl",
        r#"stack "boxes"
host "web1" address="10.40.0.11" {
    groups "web"
    labels container="debian:bookworm" container-subnet="10.40.0.0/24"
}
host "web2" address="10.40.0.12" {
    groups "web"
    labels container="debian:bookworm" container-subnet="10.40.0.0/24"
}
service "site" plugin="nginx" on="web" {
    listen 80
}
"#,
    );
    let out = scratch.path().join("out");
    let output =
        scratch.stackc(&["build", "boxes.kdl", "--out", out.to_str().expect("utf-8")]).output().expect("run stackc");
    assert!(output.status.success(), "{}", render(&output, &[]));
    let ansible = out.join("boxes/current/ansible");
    let play = fs::read_to_string(ansible.join("containers.yml")).expect("containers.yml");
    for expected in [
        "community.docker.docker_network:",
        "- subnet: \"10.40.0.0/24\"",
        "name: \"web2\"",
        "ipv4_address: \"10.40.0.12\"",
        "image: \"debian:bookworm\"",
    ] {
        assert!(play.contains(expected), "containers.yml lacks `{expected}`:\n{play}");
    }
    let inventory = fs::read_to_string(ansible.join("inventory.ini")).expect("inventory.ini");
    assert!(inventory.contains("\nweb1 ansible_host=web1 ansible_connection=community.docker.docker\n"), "{inventory}");
    let home = scratch.path().join("home");
    fs::create_dir_all(&home).expect("mkdir home");
    let run = |program: &str, args: &[&str]| {
        let program = tool(program);
        let mut path = vec![crate::common::workspace().join(".venv/bin"), program.parent().expect("parent").to_owned()];
        path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        Command::new(&program)
            .args(args)
            .current_dir(&ansible)
            .env("PATH", std::env::join_paths(path).expect("PATH"))
            .env("HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("NO_COLOR", "1")
            .output()
            .expect("run an Ansible tool")
    };
    // The labels are the host's inventory variables.
    let output = run("ansible-inventory", &["-i", "inventory.ini", "--host", "web2"]);
    let vars = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "ansible-inventory --host web2:\n{}", render(&output, &[]));
    for expected in ["\"container\": \"debian:bookworm\"", "\"container_subnet\": \"10.40.0.0/24\""] {
        assert!(vars.contains(expected), "web2's variables lack {expected}:\n{vars}");
    }
    let output = run("ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "containers.yml"]);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
    let output = run("ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "site.yml"]);
    assert!(output.status.success(), "ansible-playbook --syntax-check site.yml:\n{}", render(&output, &[]));
    let output = run("ansible-lint", &["--offline", "containers.yml"]);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");

    // A container host without a subnet is an error at the host.
    let text = fs::read_to_string(scratch.path().join("boxes.kdl")).expect("read");
    scratch.write("nosubnet.kdl", &text.replacen(" container-subnet=\"10.40.0.0/24\"", "", 1));
    let output = scratch.stackc(&["check", "nosubnet.kdl"]).output().expect("run stackc");
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("container host `web1` has no `container-subnet` label"), "{text}");
}
