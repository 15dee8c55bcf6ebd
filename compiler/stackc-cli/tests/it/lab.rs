//! `stacks/bookworm-lab.kdl` checked with the real programs: five etcd members started from
//! the generated configs, on loopback addresses given with `--set`, survive losing two members
//! (the leader among them).
//!
//! Only `data-dir` is moved under a temporary directory; every other line runs as generated.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{build_stack, render, tool};

const STACK: &str = "stacks/bookworm-lab.kdl";
const ETCD_MEMBERS: usize = 5;

/// `--set` overrides that put the etcd members on 127.0.1.1 … 127.0.1.5.
fn etcd_overrides() -> Vec<String> {
    (1..=ETCD_MEMBERS).flat_map(|i| ["--set".to_owned(), format!("etcd{i}_address=127.0.1.{i}")]).collect()
}

fn client_url(member: usize) -> String {
    format!("http://127.0.1.{member}:2379")
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
    for member in 1..=ETCD_MEMBERS {
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
    let dir = tempfile::tempdir().expect("tempdir");
    let overrides = etcd_overrides();
    let extra: Vec<&str> = overrides.iter().map(String::as_str).collect();
    let bundle = build_stack(STACK, &dir.path().join("out"), &extra);

    let mut processes = Processes(Vec::new());
    for member in 1..=ETCD_MEMBERS {
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

    let all: Vec<usize> = (1..=ETCD_MEMBERS).collect();
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
    let other = all.iter().copied().find(|&m| m != leader).expect("another member");
    processes.kill(leader);
    processes.kill(other);
    let survivors: Vec<usize> = all.iter().copied().filter(|&m| m != leader && m != other).collect();
    assert_eq!(survivors.len(), 3);

    put_with_retries(&survivors, "lab", "after").unwrap_or_else(|e| {
        panic!("put failed after killing etcd{leader} (leader) and etcd{other}:\n{e}\n{}", logs(dir.path()))
    });
    let output = get(&survivors, "lab");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "after", "{}", render(&output, &[]));
    drop(processes);
}
