//! Network namespaces: one per machine, each with an `eth0` on a bridge in the lab's own
//! namespace, where the control node (Ansible, curl, etcdctl) runs. Nothing here touches the
//! machine's own network.

use std::process::Command;

use crate::common::{render, run, tool};

/// A network namespace this test made, deleted (after every process in it is killed) on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(name: String) -> Self {
        ip(&["netns", "add", &name]);
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// `ip -n <ns> ARGS`, which must succeed.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// `program` run inside the namespace.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(tool("ip"));
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }

    /// Kills every process still in the namespace (SSH control masters, say).
    pub fn kill_all(&self) {
        let output = run(Command::new(tool("ip")).args(["netns", "pids", &self.name]));
        let pids = String::from_utf8_lossy(&output.stdout);
        for pid in pids.split_whitespace() {
            let _ = Command::new("kill").args(["-KILL", pid]).output();
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        self.kill_all();
        let _ = Command::new(tool("ip")).args(["netns", "delete", &self.name]).output();
    }
}

fn ip(args: &[&str]) {
    let output = run(Command::new(tool("ip")).args(args));
    assert!(output.status.success(), "ip {} failed:\n{}", args.join(" "), render(&output, &[]));
}
