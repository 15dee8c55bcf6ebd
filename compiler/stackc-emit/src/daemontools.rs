//! daemontools service directories for `Process` artifacts with the daemontools supervisor:
//! `/etc/service/<name>/run` and `/etc/service/<name>/log/run`, found by `svscan` (started at
//! boot by Debian's `daemontools-run`).
//!
//! `run` sends stderr to the log, changes to the working directory, sets the environment and
//! `exec`s the command as its user with `setuidgid`; `log/run` `exec`s `multilog` as the log
//! user, writing timestamped, size-rotated files to `log/main`.

use stackc_plugin_host::Process;

use crate::supervise::{GeneratedFile, sh_quote};

pub(crate) const SERVICE_DIR: &str = "/etc/service";

/// The user `multilog` runs as: the process's own user, or `nobody` for root processes.
pub(crate) fn log_user(process: &Process) -> &str {
    if process.user == "root" { "nobody" } else { &process.user }
}

pub(crate) fn service_dir(process: &Process) -> String {
    format!("{SERVICE_DIR}/{}", process.name)
}

pub(crate) fn files(process: &Process) -> Vec<GeneratedFile> {
    let dir = service_dir(process);
    let mut run = format!(
        "#!/bin/sh\n# {} under daemontools; written by stackc.\nexec 2>&1\ncd {} || exit 111\n",
        process.name,
        sh_quote(&process.working_directory)
    );
    for (key, value) in &process.environment {
        run.push_str(&format!("{key}={}\nexport {key}\n", sh_quote(value)));
    }
    run.push_str("exec setuidgid ");
    run.push_str(&sh_quote(&process.user));
    for arg in &process.command {
        run.push(' ');
        run.push_str(&sh_quote(arg));
    }
    run.push('\n');
    let log = format!(
        "#!/bin/sh\n# The log of {}: timestamped, {} files of at most {} bytes; written by stackc.\nexec setuidgid {} multilog t s{} n{} ./main\n",
        process.name,
        process.log_files,
        process.log_max_bytes,
        sh_quote(log_user(process)),
        process.log_max_bytes,
        process.log_files
    );
    vec![
        GeneratedFile { path: format!("{dir}/run"), contents: run.into_bytes(), mode: 0o755 },
        GeneratedFile { path: format!("{dir}/log/run"), contents: log.into_bytes(), mode: 0o755 },
    ]
}
