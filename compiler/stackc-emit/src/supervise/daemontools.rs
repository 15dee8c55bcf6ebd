//! daemontools service directories: `/etc/service/<name>/run` and `/etc/service/<name>/log/run`,
//! found by `svscan` (started at boot by Debian's `daemontools-run`).
//!
//! `run` sends stderr to the log, changes to the working directory, sets the environment and
//! `exec`s the command as its user with `setuidgid`; `log/run` `exec`s `multilog` as the log
//! user, writing timestamped, size-rotated files to `log/main`. The play creates the
//! accounts and `log/main`, starts svscan's unit, waits until svscan supervises both, and
//! restarts the process with `svc -t`.

use stackc_plugin_host::Process;

use super::{Supervision, accounts, host_file};
use crate::host_work::{Handler, OwnedDirectory, Restart, Start, Trigger};
use crate::shell;

const SERVICE_DIR: &str = "/etc/service";

/// The process as a service directory, or what multilog cannot do as asked.
pub(super) fn supervise(process: &Process) -> Result<Supervision, Vec<String>> {
    let mut problems = Vec::new();
    if !(4096..=16_777_215).contains(&process.log_max_bytes) {
        problems.push(format!("multilog needs a file size from 4096 to 16777215 bytes, not {}", process.log_max_bytes));
    }
    if process.log_files < 2 {
        problems.push(format!("multilog keeps at least 2 files, not {}", process.log_files));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let dir = format!("{SERVICE_DIR}/{}", process.name);
    let log_user = log_user(process);
    Ok(Supervision {
        files: vec![
            host_file(format!("{dir}/run"), run_script(process), 0o755),
            host_file(format!("{dir}/log/run"), log_script(process), 0o755),
        ],
        packages: vec!["daemontools", "daemontools-run"],
        accounts: accounts([process.user.as_str(), log_user]),
        directories: vec![
            OwnedDirectory {
                path: process.working_directory.clone(),
                owner: process.user.clone(),
                process: process.name.clone(),
            },
            OwnedDirectory {
                path: format!("{dir}/log/main"),
                owner: log_user.to_owned(),
                process: process.name.clone(),
            },
        ],
        starts: vec![
            // Debian's daemontools-run runs svscan on /etc/service from this unit.
            Start::Supervisor { name: "svscan".to_owned(), unit: "daemontools-run.service".to_owned() },
            Start::Supervised {
                process: process.name.clone(),
                supervisor: "svscan".to_owned(),
                ready_files: vec![format!("{dir}/supervise/ok"), format!("{dir}/log/supervise/ok")],
            },
        ],
        handler: Handler {
            name: format!("Restart {} under daemontools", process.name),
            action: Restart::Command { program: "svc".to_owned(), args: vec!["-t".to_owned(), dir] },
            trigger: Trigger::Files,
        },
    })
}

/// The user `multilog` runs as: the process's own user, or `nobody` for root processes.
fn log_user(process: &Process) -> &str {
    if process.user == "root" { "nobody" } else { &process.user }
}

fn run_script(process: &Process) -> String {
    let mut run = format!(
        "#!/bin/sh\n# {} under daemontools; written by stackc.\nexec 2>&1\ncd {} || exit 111\n",
        process.name,
        shell::quote(&process.working_directory)
    );
    for (key, value) in &process.environment {
        run.push_str(&format!("{key}={}\nexport {key}\n", shell::quote(value)));
    }
    run.push_str("exec setuidgid ");
    run.push_str(&shell::quote(&process.user));
    for arg in &process.command {
        run.push(' ');
        run.push_str(&shell::quote(arg));
    }
    run.push('\n');
    run
}

fn log_script(process: &Process) -> String {
    format!(
        "#!/bin/sh\n# The log of {}: timestamped, {} files of at most {} bytes; written by stackc.\nexec setuidgid {} multilog t s{} n{} ./main\n",
        process.name,
        process.log_files,
        process.log_max_bytes,
        shell::quote(log_user(process)),
        process.log_max_bytes,
        process.log_files
    )
}
