//! The bundles applied for real: each stack's generated `site.yml` run by `ansible-playbook`
//! against Debian bookworm machines booted for its hosts (`bookworm.rs`), twice, then in check
//! mode; then the machines inspected and the services asked whether they answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant};

use saphyr::{LoadableYamlNode, Yaml};

use crate::bookworm::{Lab, recap};
use crate::common::{Cert, build_stack, files_under, render, run, tool};

/// A bundle, machines for its hosts, and a test vault with its secrets.
struct Deployment {
    bundle: PathBuf,
    lab: Lab,
    /// The vault file and its password file, and the proxy certificate in the vault.
    scratch: tempfile::TempDir,
    /// The bundle's `site.yml`.
    site: String,
}

impl Deployment {
    /// Builds `stack`, boots its hosts and writes a vault with a throwaway password holding a
    /// certificate and key for `www.example.org` under each of `tls_vars` (certificate, key).
    fn new(stack: &str, tls_vars: (&str, &str)) -> Deployment {
        let out = tempfile::tempdir().expect("out directory").keep();
        let bundle = build_stack(stack, &out, &[]);
        let site = fs::read_to_string(bundle.join("ansible/site.yml")).expect("site.yml");
        let hosts = inventory_hosts(&fs::read_to_string(bundle.join("ansible/inventory.ini")).expect("inventory"));
        let lab = Lab::start(&hosts, &debian_packages(&plays(&site)));

        let scratch = tempfile::tempdir().expect("scratch");
        let cert = Cert::new(scratch.path(), "www.example.org");
        let block = |path: &Path| {
            fs::read_to_string(path).expect("PEM").lines().map(|l| format!("  {l}\n")).collect::<String>()
        };
        let vault = scratch.path().join("vault.yml");
        fs::write(&vault, format!("{}: |\n{}{}: |\n{}", tls_vars.0, block(&cert.cert), tls_vars.1, block(&cert.key)))
            .expect("vault");
        fs::write(scratch.path().join("vault-password"), "throwaway\n").expect("vault password");
        let output = run(Command::new(tool("ansible-vault"))
            .args(["encrypt", "--vault-password-file"])
            .arg(scratch.path().join("vault-password"))
            .arg(&vault));
        assert!(output.status.success(), "ansible-vault encrypt failed:\n{}", render(&output, &[]));
        Deployment { bundle, lab, scratch, site }
    }

    /// `ansible-playbook site.yml` with the vault, and `extra` arguments.
    fn site(&self, extra: &[&str]) -> Output {
        self.playbook(&self.bundle.join("ansible"), extra)
    }

    fn playbook(&self, ansible_dir: &Path, extra: &[&str]) -> Output {
        let vault = format!("@{}", self.scratch.path().join("vault.yml").display());
        let password = self.scratch.path().join("vault-password");
        let mut args = vec!["site.yml", "-e", &vault, "--vault-password-file", password.to_str().expect("UTF-8")];
        args.extend_from_slice(extra);
        self.lab.ansible_playbook(ansible_dir, &args)
    }

    /// Applies the playbook with no failed task, again with nothing changed, then in check mode
    /// with nothing to change.
    fn apply_until_unchanged(&self, extra: &[&str]) {
        let first = self.site(extra);
        let text = render(&first, &[]);
        assert!(first.status.success(), "the first run failed:\n{text}");
        for (host, counters) in recap(&String::from_utf8_lossy(&first.stdout)) {
            assert_eq!(counters["failed"], 0, "{host} failed a task:\n{text}");
            assert_eq!(counters["unreachable"], 0, "{host} was unreachable:\n{text}");
        }
        for (run, args) in [("second run", extra.to_vec()), ("check run", [extra, &["--check", "--diff"]].concat())] {
            let output = self.site(&args);
            let text = render(&output, &[]);
            assert!(output.status.success(), "the {run} failed:\n{text}");
            for (host, counters) in recap(&String::from_utf8_lossy(&output.stdout)) {
                assert_eq!(counters["changed"], 0, "the {run} changed something on {host}:\n{text}");
            }
        }
    }

    /// Every file of `hosts/<host>/` that a play which ran installs is on the machine with the
    /// bundle's bytes and the owner, group and mode the play declares; a file no such play
    /// installs belongs to a play of `skipped` services.
    fn assert_files_installed(&self, skipped: &[&str]) {
        let plays = plays(&self.site);
        let declared = declared_files(&plays, &[]);
        let ran = declared_files(&plays, skipped);
        let mut checked = 0;
        for machine in self.lab.machines() {
            let tree = self.bundle.join("hosts").join(&machine.host);
            if !tree.exists() {
                continue;
            }
            let root = machine.root();
            let users = ids(&root.join("etc/passwd"));
            let groups = ids(&root.join("etc/group"));
            for relative in files_under(&tree, &[]) {
                let path = format!("/{relative}");
                let Some(want) = ran.get(path.as_str()) else {
                    assert!(declared.contains_key(path.as_str()), "no play installs {path} of {}", machine.host);
                    continue;
                };
                let installed = root.join(&relative);
                let meta = fs::metadata(&installed).unwrap_or_else(|e| panic!("{path} on {}: {e}", machine.host));
                assert_eq!(
                    fs::read(&installed).expect("read"),
                    fs::read(tree.join(&relative)).expect("read"),
                    "{path}"
                );
                assert_eq!(format!("{:04o}", meta.mode() & 0o7777), want.mode, "mode of {path} on {}", machine.host);
                assert_eq!(Some(&meta.uid()), users.get(&want.owner), "owner of {path} on {}", machine.host);
                assert_eq!(Some(&meta.gid()), groups.get(&want.group), "group of {path} on {}", machine.host);
                checked += 1;
            }
        }
        assert!(checked > 0, "no file checked");
    }

    /// `curl ARGS` on the control node: the body, with the command failing on HTTP errors.
    fn curl(&self, args: &[&str]) -> String {
        let output = run(self
            .lab
            .control(tool("curl"))
            .args(["--silent", "--show-error", "--fail", "--max-time", "5"])
            .args(args));
        assert!(output.status.success(), "curl {args:?} failed:\n{}", render(&output, &[]));
        String::from_utf8(output.stdout).expect("UTF-8")
    }
}

#[test]
fn web_tls_applies_to_bookworm_machines_and_serves_the_site_through_the_tls_proxy() {
    let d = Deployment::new("stacks/web-tls.kdl", ("vault_proxy_tls_cert", "vault_proxy_tls_key"));
    d.apply_until_unchanged(&[]);
    d.assert_files_installed(&[]);

    let page = fs::read_to_string(d.bundle.join("hosts/web1/var/www/site/index.html")).expect("page");
    assert_eq!(d.curl(&["http://10.20.0.11/"]), page, "nginx #1 serves the site");
    let cert = d.scratch.path().join("cert.pem");
    let through_proxy = ["--cacert", cert.to_str().expect("UTF-8"), "--resolve", "www.example.org:443:10.20.0.12"];
    assert_eq!(
        d.curl(&[&through_proxy[..], &["https://www.example.org/"]].concat()),
        page,
        "the proxy serves it over TLS"
    );
    let redirect =
        d.curl(&["--output", "/dev/null", "--write-out", "%{http_code} %{redirect_url}", "http://10.20.0.12/"]);
    assert_eq!(redirect, "301 https://10.20.0.12/", "port 80 of the proxy redirects to HTTPS");

    // The secrets are on the proxy, from the vault, and in no file of the bundle.
    let proxy = d.lab.machine("proxy1").root();
    assert_eq!(
        fs::read(proxy.join("etc/nginx/tls/proxy.key")).expect("key"),
        fs::read(d.scratch.path().join("key.pem")).expect("key")
    );
    assert_eq!(fs::metadata(proxy.join("etc/nginx/tls/proxy.key")).expect("key").mode() & 0o777, 0o600);
    let key = fs::read_to_string(d.scratch.path().join("key.pem")).expect("key");
    let secret_line = key.lines().nth(1).expect("a line of the key");
    for file in files_under(&d.bundle, &[]) {
        let text = fs::read(d.bundle.join(&file)).expect("read");
        assert!(!String::from_utf8_lossy(&text).contains(secret_line), "{file} holds the key");
    }

    // A broken play fails the run, and the output names its step.
    let broken = tempfile::tempdir().expect("broken copy");
    fs::create_dir(broken.path().join("ansible")).expect("mkdir");
    std::os::unix::fs::symlink(d.bundle.join("hosts"), broken.path().join("hosts")).expect("link hosts");
    for name in ["ansible.cfg", "inventory.ini"] {
        fs::copy(d.bundle.join("ansible").join(name), broken.path().join("ansible").join(name)).expect("copy");
    }
    let site = fs::read_to_string(d.bundle.join("ansible/site.yml")).expect("site.yml");
    let play = "- name: \"Step 2/4: proxy (nginx)\"\n";
    let (before, after) = site.split_once(play).expect("the proxy's play");
    let (head, tasks) = after.split_once("  tasks:\n").expect("its tasks");
    let injected =
        "    - name: Injected failure\n      ansible.builtin.command: /bin/false\n      changed_when: false\n\n";
    fs::write(broken.path().join("ansible/site.yml"), format!("{before}{play}{head}  tasks:\n{injected}{tasks}"))
        .expect("write the broken playbook");
    let output = d.playbook(&broken.path().join("ansible"), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "a failed task fails the run:\n{}", render(&output, &[]));
    let failed_at = stdout.find("fatal: [proxy1]").expect("the failed task is reported");
    let step = stdout[..failed_at].rfind("PLAY [").map(|i| &stdout[i..]).expect("a play before it");
    assert!(step.starts_with("PLAY [Step 2/4: proxy (nginx)]"), "the failure is under its step:\n{stdout}");
    assert!(step.contains("TASK [Injected failure]"), "and names the task:\n{stdout}");
    assert_eq!(recap(&stdout)["proxy1"]["failed"], 1);

    // The machines, their mounts, namespaces and processes are gone with the lab.
    let (id, pids) = (d.lab.id.clone(), d.lab.pids());
    drop(d);
    assert_eq!(Lab::leftovers(&id, &pids), Vec::<String>::new());
}

#[test]
fn bookworm_lab_applies_to_bookworm_machines_and_every_service_answers() {
    let d = Deployment::new("stacks/bookworm-lab.kdl", ("vault_proxy_tls_cert", "vault_proxy_tls_key"));
    // Grafana is not in Debian: its play adds Grafana's apt repository, which this network
    // cannot reach. It is applied alone below, as far as it gets.
    d.apply_until_unchanged(&["--skip-tags", "grafana"]);
    d.assert_files_installed(&["grafana"]);

    let page = fs::read_to_string(d.bundle.join("hosts/web1/var/www/site/index.html")).expect("page");
    let cert = d.scratch.path().join("cert.pem");
    let proxy = ["--cacert", cert.to_str().expect("UTF-8"), "--resolve", "www.example.org:443:10.30.0.12"];
    assert_eq!(d.curl(&[&proxy[..], &["https://www.example.org/"]].concat()), page, "the proxy serves the site");

    let addresses: Vec<&str> = d.lab.machines().iter().map(|m| m.address.as_str()).collect();
    for address in &addresses {
        let metrics = d.curl(&[&format!("http://{address}:9100/metrics")]);
        assert!(metrics.contains("\nnode_load1 "), "the node exporter on {address} serves node metrics");
    }
    d.curl(&["http://10.30.0.13:9090/-/ready"]);
    d.curl(&["http://10.30.0.13:9093/-/ready"]);

    // Five etcd members, each healthy, in one cluster.
    let endpoints: Vec<String> = (21..=25).map(|i| format!("http://10.30.0.{i}:2379")).collect();
    let etcdctl = |args: &[&str]| {
        let output = run(d
            .lab
            .control(tool("etcdctl"))
            .arg(format!("--endpoints={}", endpoints.join(",")))
            .arg("--command-timeout=5s")
            .args(args));
        assert!(output.status.success(), "etcdctl {args:?} failed:\n{}", render(&output, &[]));
        // etcdctl 3.4 reports endpoint health on stderr.
        String::from_utf8([output.stdout, output.stderr].concat()).expect("UTF-8")
    };
    let members = etcdctl(&["member", "list"]);
    assert_eq!(members.lines().filter(|l| l.contains(", started, ")).count(), 5, "{members}");
    let health = etcdctl(&["endpoint", "health", "--cluster"]);
    assert_eq!(health.lines().filter(|l| l.contains("is healthy")).count(), 5, "{health}");

    // Prometheus scrapes every node exporter; the probe records their load and the site's
    // status as JSON Lines.
    let probe = d.lab.machine("mon1").root().join("var/lib/stackc-probe/probe.jsonl");
    let deadline = Instant::now() + Duration::from_secs(90);
    let (load, status) = loop {
        let records: Vec<serde_json::Value> = fs::read_to_string(&probe)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        let last = |kind: &str| records.iter().rev().find(|r| r["kind"] == kind).cloned();
        let load = last("load").filter(|r| r["load"].as_object().is_some_and(|o| o.len() == addresses.len()));
        if let (Some(load), Some(status)) = (load, last("stub_status")) {
            break (load, status);
        }
        assert!(Instant::now() < deadline, "the probe recorded no load of every host and no status in 90 s");
        sleep(Duration::from_secs(2));
    };
    for address in &addresses {
        assert!(load["load"][format!("{address}:9100")].is_number(), "load of {address} in {load}");
    }
    assert_eq!(status["response"]["status"], 200, "{status}");
    // It runs as its own account, which owns its state directory.
    let mon1 = d.lab.machine("mon1").root();
    let state = fs::metadata(mon1.join("var/lib/stackc-probe")).expect("the probe's state directory");
    assert_eq!(Some(&state.uid()), ids(&mon1.join("etc/passwd")).get("stackc-probe"));

    // Grafana's play gets as far as this network allows: its Debian package (python3-debian)
    // installs, then fetching Grafana's repository key fails, and the run names that step.
    let output = d.site(&["--tags", "grafana"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{}", render(&output, &[]));
    // A task with a loop fails an item (`failed: [mon1] (item=…)`), not the host (`fatal:`).
    let failed_at =
        stdout.find("failed: [mon1]").unwrap_or_else(|| panic!("no failed task:\n{}", render(&output, &[])));
    let task = stdout[..failed_at].rfind("TASK [").map(|i| &stdout[i..failed_at]).expect("its task");
    assert!(task.starts_with("TASK [Add APT repositories]"), "{stdout}");
    assert!(stdout[..failed_at].contains("Could not fetch signed_by key"), "{stdout}");
    assert!(stdout[failed_at..].contains("https://apt.grafana.com/gpg.key"), "{stdout}");
    let installed = d.lab.ssh("mon1", "dpkg-query -W -f '${Status}' python3-debian");
    assert_eq!(String::from_utf8_lossy(&installed.stdout), "install ok installed");
}

/// What a play declares of a file it copies from `hosts/`.
struct Declared {
    mode: String,
    owner: String,
    group: String,
}

/// The files the plays copy from the bundle's host trees, by path, leaving out the plays of the
/// `skipped` services (tagged with their names).
fn declared_files(plays: &[Yaml<'_>], skipped: &[&str]) -> BTreeMap<String, Declared> {
    let mut files = BTreeMap::new();
    for play in plays {
        if strings(play.as_mapping_get("tags")).iter().any(|t| skipped.contains(&t.as_str())) {
            continue;
        }
        for task in play.as_mapping_get("tasks").and_then(Yaml::as_sequence).into_iter().flatten() {
            let Some(copy) = task.as_mapping_get("ansible.builtin.copy") else { continue };
            if !text(copy.as_mapping_get("src")).contains("/../hosts/") {
                continue;
            }
            for item in task.as_mapping_get("loop").and_then(Yaml::as_sequence).into_iter().flatten() {
                let field = |key: &str| {
                    let value = text(copy.as_mapping_get(key));
                    if value == format!("{{{{ item.{key} }}}}") { text(item.as_mapping_get(key)) } else { value }
                };
                let declared = Declared { mode: field("mode"), owner: field("owner"), group: field("group") };
                files.insert(text(item.as_mapping_get("path")), declared);
            }
        }
    }
    files
}

/// The packages the plays install from Debian: those of each play's `apt` tasks before it adds
/// a repository of its own.
fn debian_packages(plays: &[Yaml<'_>]) -> Vec<String> {
    let mut packages = BTreeSet::new();
    for play in plays {
        for task in play.as_mapping_get("tasks").and_then(Yaml::as_sequence).into_iter().flatten() {
            if task.as_mapping_get("ansible.builtin.deb822_repository").is_some() {
                break;
            }
            if let Some(apt) = task.as_mapping_get("ansible.builtin.apt") {
                packages.extend(strings(apt.as_mapping_get("name")));
            }
        }
    }
    packages.into_iter().collect()
}

/// `[all]` of an inventory: each host and its `ansible_host`.
fn inventory_hosts(inventory: &str) -> Vec<(String, String)> {
    let all = inventory.split("[all]\n").nth(1).expect("an [all] group");
    all.lines()
        .take_while(|l| !l.is_empty())
        .map(|line| {
            let (host, vars) = line.split_once(' ').expect("host and variables");
            let address = vars.split_whitespace().find_map(|v| v.strip_prefix("ansible_host=")).expect("ansible_host");
            (host.to_owned(), address.to_owned())
        })
        .collect()
}

/// Names and ids from `/etc/passwd` or `/etc/group`.
fn ids(file: &Path) -> BTreeMap<String, u32> {
    fs::read_to_string(file)
        .expect("account database")
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            Some((fields.first()?.to_string(), fields.get(2)?.parse().ok()?))
        })
        .collect()
}

fn text(node: Option<&Yaml<'_>>) -> String {
    node.and_then(Yaml::as_str).map(str::to_owned).unwrap_or_default()
}

/// A string, or a list of strings, as a list.
fn strings(node: Option<&Yaml<'_>>) -> Vec<String> {
    match node {
        Some(Yaml::Sequence(items)) => items.iter().filter_map(Yaml::as_str).map(str::to_owned).collect(),
        Some(other) => other.as_str().map(str::to_owned).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The plays of a playbook.
fn plays(site: &str) -> Vec<Yaml<'_>> {
    match Yaml::load_from_str(site).expect("site.yml is YAML").pop() {
        Some(Yaml::Sequence(plays)) => plays,
        other => panic!("site.yml is not a list of plays: {other:?}"),
    }
}
