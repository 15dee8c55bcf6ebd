//! Real Debian bookworm machines for a stack's hosts, on this machine, for applying a bundle's
//! playbooks as an operator would.
//!
//! - **Root.** Every machine is an overlay on one bookworm root made by debootstrap and cached
//!   under the target directory (`cache.rs`); a machine's writes go to its own upper directory,
//!   removed with it.
//! - **Boot.** `systemd-nspawn --boot` runs systemd as the machine's init, so that the plays'
//!   `systemd_service` tasks, package scripts that start services, and daemontools' unit work as
//!   on a real host. (A chroot has no init: nothing a play starts would run.)
//! - **Network.** Each machine has its own network namespace with `eth0` at the stack's address
//!   for the host, on a bridge in the lab's namespace, where the control node runs: Ansible,
//!   and the tests' clients. The machines reach nothing else: their apt source is a local
//!   repository, bind-mounted read-only, of the Debian packages the plays install, fetched once
//!   into the cache. The package lists start out stale, as on a freshly provisioned host, so the
//!   plays' `update_cache` really runs.
//! - **Connection.** Ansible logs in over SSH as root with a key made for the lab, exactly as
//!   the bundle's inventory says (`ansible_host` is the host's address). nspawn's own ways in
//!   (machinectl) need systemd on this machine, and Ansible's chroot connection would run
//!   commands outside the machine's init and namespaces.
//!
//! Dropping a [`Lab`] stops the machines (their init, and with it every process they run),
//! unmounts their roots, kills what is left in its namespaces (SSH control masters) and deletes
//! the namespaces and directories, all named by the lab's id.

#[path = "bookworm/cache.rs"]
mod cache;
#[path = "bookworm/network.rs"]
mod network;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use network::Netns;

use crate::common::{render, run, spawn, tool};

/// Where the repository is mounted in each machine, and the apt source that names it.
const REPOSITORY_MOUNT: &str = "/srv/stackc-test-repository";

/// A stack's hosts as running machines.
pub struct Lab {
    /// Names the lab's namespaces and directories.
    pub id: String,
    // Fields drop in order: machines stop before their bridge goes.
    machines: Vec<Machine>,
    lan: Netns,
    /// The lab's key, Ansible's home and SSH control sockets: short paths, for socket names.
    scratch: tempfile::TempDir,
}

pub struct Machine {
    pub host: String,
    pub address: String,
    /// `run-<id>/<host>/`: `upper/`, `work/`, the mounted `root/`, `boot.log`.
    dir: PathBuf,
    nspawn: Child,
    // Deleted after the machine stopped (fields drop after `Drop::drop`).
    _netns: Netns,
}

impl Lab {
    /// Boots one machine per `(host, address)`, each able to install `packages` (and nothing
    /// else from Debian), and waits until each accepts SSH logins.
    pub fn start(hosts: &[(String, String)], packages: &[String]) -> Lab {
        static LABS: AtomicU32 = AtomicU32::new(0);
        let id = format!("stk{}-{}", std::process::id(), LABS.fetch_add(1, Ordering::Relaxed));
        sweep_stale_labs();
        let base = cache::base_root();
        let repository = cache::repository(packages);

        let scratch = tempfile::Builder::new().prefix("lab").tempdir().expect("scratch directory");
        let key = scratch.path().join("id_ed25519");
        let output = run(Command::new(tool("ssh-keygen")).args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key));
        assert!(output.status.success(), "ssh-keygen failed:\n{}", render(&output, &[]));
        let public_key = fs::read_to_string(key.with_extension("pub")).expect("public key");

        let lan = Netns::new(format!("{id}-lan"));
        lan.ip(&["link", "add", "br0", "type", "bridge"]);
        lan.ip(&["link", "set", "br0", "up"]);
        // The control node is `.254` of every /24 the hosts are in.
        let subnets: BTreeSet<&str> = hosts.iter().filter_map(|(_, a)| a.rsplit_once('.').map(|(s, _)| s)).collect();
        for subnet in subnets {
            lan.ip(&["addr", "add", &format!("{subnet}.254/24"), "dev", "br0"]);
        }

        let runs = cache::dir().join(format!("run-{id}"));
        let mut lab = Lab { id: id.clone(), machines: Vec::new(), lan, scratch };
        for (index, (host, address)) in hosts.iter().enumerate() {
            let machine = Machine::boot(&lab.lan, &runs, index, host, address, &base, &repository, &public_key);
            lab.machines.push(machine);
        }
        for machine in &lab.machines {
            lab.wait_for_ssh(machine);
        }
        lab
    }

    /// The processes that run the machines (nspawn's), by pid.
    pub fn pids(&self) -> Vec<u32> {
        self.machines.iter().map(|m| m.nspawn.id()).collect()
    }

    /// What is left of the lab `id` after it was dropped: namespaces, mounts, directories and
    /// processes of `pids` that should be gone.
    pub fn leftovers(id: &str, pids: &[u32]) -> Vec<String> {
        let namespaces = run(Command::new(tool("ip")).args(["netns", "list"]));
        let mut left: Vec<String> = String::from_utf8_lossy(&namespaces.stdout)
            .lines()
            .filter(|l| l.starts_with(&format!("{id}-")))
            .map(|l| format!("network namespace {l}"))
            .collect();
        let runs = cache::dir().join(format!("run-{id}"));
        let mounts = fs::read_to_string("/proc/mounts").expect("/proc/mounts");
        let runs_text = runs.display().to_string();
        left.extend(mounts.lines().filter(|l| l.contains(&runs_text)).map(|l| format!("mount {l}")));
        if runs.exists() {
            left.push(format!("directory {}", runs.display()));
        }
        left.extend(pids.iter().filter(|p| Path::new(&format!("/proc/{p}")).exists()).map(|p| format!("process {p}")));
        left
    }

    pub fn machine(&self, host: &str) -> &Machine {
        self.machines.iter().find(|m| m.host == host).unwrap_or_else(|| panic!("no machine `{host}`"))
    }

    pub fn machines(&self) -> &[Machine] {
        &self.machines
    }

    /// `program` run on the control node, which reaches every machine.
    pub fn control(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        self.lan.command(program)
    }

    /// `ansible-playbook ARGS` run from `ansible_dir` (a bundle's `ansible/`, whose
    /// `ansible.cfg` names the inventory) on the control node, logging in as root with the
    /// lab's key.
    pub fn ansible_playbook(&self, ansible_dir: &Path, args: &[&str]) -> Output {
        let scratch = self.scratch.path();
        run(self
            .control(tool("ansible-playbook"))
            .current_dir(ansible_dir)
            .args(args)
            .env("ANSIBLE_PRIVATE_KEY_FILE", scratch.join("id_ed25519"))
            .env("ANSIBLE_REMOTE_USER", "root")
            .env("ANSIBLE_HOST_KEY_CHECKING", "False")
            .env("ANSIBLE_SSH_ARGS", "-o UserKnownHostsFile=/dev/null -o ControlMaster=auto -o ControlPersist=60s")
            .env("ANSIBLE_SSH_CONTROL_PATH_DIR", scratch.join("cp"))
            .env("ANSIBLE_HOME", scratch.join("home"))
            .env("ANSIBLE_LOCAL_TEMP", scratch.join("tmp"))
            .env("ANSIBLE_FORKS", "10")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_RETRY_FILES_ENABLED", "False"))
    }

    /// `command` run as root on `host` over SSH.
    pub fn ssh(&self, host: &str, command: &str) -> Output {
        let machine = self.machine(host);
        run(self.ssh_command(machine).arg(command))
    }

    fn ssh_command(&self, machine: &Machine) -> Command {
        let mut command = self.control(tool("ssh"));
        command
            .arg("-i")
            .arg(self.scratch.path().join("id_ed25519"))
            .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"])
            .args(["-o", "ConnectTimeout=2", "-o", "LogLevel=ERROR"])
            .arg(format!("root@{}", machine.address));
        command
    }

    fn wait_for_ssh(&self, machine: &Machine) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let output = run(self.ssh_command(machine).arg("systemctl is-system-running --wait"));
            // `degraded` is a booted system with a failed unit; the plays do not care.
            let state = String::from_utf8_lossy(&output.stdout);
            if matches!(state.trim(), "running" | "degraded") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "machine {} did not boot and accept SSH in 120 s; its console:\n{}",
                machine.host,
                fs::read_to_string(machine.dir.join("boot.log")).unwrap_or_default()
            );
            sleep(Duration::from_millis(500));
        }
    }
}

impl Machine {
    #[allow(clippy::too_many_arguments)]
    fn boot(
        lan: &Netns,
        runs: &Path,
        index: usize,
        host: &str,
        address: &str,
        base: &Path,
        repository: &Path,
        public_key: &str,
    ) -> Machine {
        let netns = Netns::new(format!("{}-{host}", lan.name.trim_end_matches("-lan")));
        let port = format!("vh{index}");
        lan.ip(&["link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &netns.name]);
        lan.ip(&["link", "set", &port, "master", "br0", "up"]);
        netns.ip(&["addr", "add", &format!("{address}/24"), "dev", "eth0"]);
        netns.ip(&["link", "set", "eth0", "up"]);

        let dir = runs.join(host);
        for sub in ["upper", "work", "root"] {
            fs::create_dir_all(dir.join(sub)).expect("machine directory");
        }
        let root = dir.join("root");
        let options = format!(
            "lowerdir={},upperdir={},workdir={}",
            base.display(),
            dir.join("upper").display(),
            dir.join("work").display()
        );
        let output = run(Command::new("mount").args(["-t", "overlay", "overlay", "-o", &options]).arg(&root));
        assert!(output.status.success(), "mounting the root of {host} failed:\n{}", render(&output, &[]));
        prepare(&root, public_key);

        let mut command = Command::new(tool("systemd-nspawn"));
        command
            .args(["--quiet", "--register=no", "--keep-unit", "--boot", "--console=read-only", "-D"])
            .arg(&root)
            .args(["--machine", host])
            .arg(format!("--network-namespace-path=/run/netns/{}", netns.name))
            .arg(format!("--bind-ro={}:{REPOSITORY_MOUNT}", repository.display()));
        let nspawn = spawn(&mut command, &dir.join("boot.log"));
        Machine { host: host.to_owned(), address: address.to_owned(), dir, nspawn, _netns: netns }
    }

    /// The machine's root as this machine sees it: files the plays installed are read here.
    pub fn root(&self) -> PathBuf {
        self.dir.join("root")
    }
}

/// The machine's apt source is the local repository, its package lists are stale, and root
/// accepts the lab's key.
fn prepare(root: &Path, public_key: &str) {
    let apt = root.join("etc/apt");
    if let Ok(entries) = fs::read_dir(apt.join("sources.list.d")) {
        for entry in entries {
            fs::remove_file(entry.expect("sources entry").path()).expect("remove a source");
        }
    }
    fs::write(apt.join("sources.list"), format!("deb [trusted=yes] file:{REPOSITORY_MOUNT} ./\n"))
        .expect("sources.list");
    let lists = root.join("var/lib/apt/lists");
    let _ = fs::remove_dir_all(&lists);
    fs::create_dir_all(lists.join("partial")).expect("package lists directory");
    // Older than any `cache_valid_time`: the first play updates the lists.
    let output = run(Command::new("touch").args(["-d", "2000-01-01"]).arg(&lists));
    assert!(output.status.success(), "touch failed:\n{}", render(&output, &[]));

    let ssh = root.join("root/.ssh");
    fs::create_dir_all(&ssh).expect(".ssh");
    fs::write(ssh.join("authorized_keys"), public_key).expect("authorized_keys");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&ssh, fs::Permissions::from_mode(0o700)).expect("chmod .ssh");
}

impl Drop for Lab {
    fn drop(&mut self) {
        // Every machine powers off at once; each then waits for its own (`Machine::drop`).
        for machine in &self.machines {
            machine.power_off();
        }
    }
}

impl Machine {
    /// nspawn asks the machine's init to power off on SIGTERM.
    fn power_off(&self) {
        let _ = Command::new("kill").args(["-TERM", &self.nspawn.id().to_string()]).output();
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        // A machine that does not stop in time is killed, and with it everything it runs.
        self.power_off();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline && matches!(self.nspawn.try_wait(), Ok(None)) {
            sleep(Duration::from_millis(100));
        }
        let _ = self.nspawn.kill();
        let _ = self.nspawn.wait();
        let root = self.dir.join("root");
        if !run(Command::new("umount").arg(&root)).status.success() {
            let _ = Command::new("umount").arg("--lazy").arg(&root).output();
        }
        let _ = fs::remove_dir_all(&self.dir);
        if let Some(runs) = self.dir.parent() {
            // The last machine of the lab removes the lab's directory.
            let _ = fs::remove_dir(runs);
        }
    }
}

/// Removes what labs of test processes that no longer run left behind (a test binary killed
/// before its labs were dropped): their machines, mounts, namespaces and directories, found by
/// the id that names them, `stk<pid>-<n>`.
fn sweep_stale_labs() {
    let alive = |pid: &str| Path::new(&format!("/proc/{pid}")).exists();
    let stale =
        |name: &str| name.strip_prefix("stk").and_then(|rest| rest.split_once('-')).is_some_and(|(pid, _)| !alive(pid));
    let namespaces = run(Command::new(tool("ip")).args(["netns", "list"]));
    let names: Vec<String> = String::from_utf8_lossy(&namespaces.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| stale(n))
        .map(str::to_owned)
        .collect();
    // Machines first (their processes are in their namespaces), then the bridges.
    for name in names.iter().filter(|n| !n.ends_with("-lan")).chain(names.iter().filter(|n| n.ends_with("-lan"))) {
        drop(Netns { name: name.clone() });
    }
    let dir = cache::dir();
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    for mount in mounts.lines().filter_map(|l| l.split_whitespace().nth(1)) {
        let stale_mount = Path::new(mount)
            .strip_prefix(&dir)
            .ok()
            .and_then(|rest| rest.iter().next())
            .and_then(|run| run.to_str()?.strip_prefix("run-").map(stale))
            .unwrap_or(false);
        if stale_mount {
            let _ = Command::new("umount").arg("--lazy").arg(mount).output();
        }
    }
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.strip_prefix("run-").is_some_and(stale) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The `PLAY RECAP` of an `ansible-playbook` run: for each host, its counters (`ok`,
/// `changed`, `failed`, …).
pub fn recap(stdout: &str) -> BTreeMap<String, BTreeMap<String, u32>> {
    let after =
        stdout.rsplit_once("PLAY RECAP").map(|(_, r)| r).unwrap_or_else(|| panic!("no PLAY RECAP in:\n{stdout}"));
    after
        .lines()
        .filter_map(|line| line.split_once(" : "))
        .map(|(host, counters)| {
            let counters = counters
                .split_whitespace()
                .filter_map(|c| c.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.parse().expect("a count")))
                .collect();
            (host.trim().to_owned(), counters)
        })
        .collect()
}
