//! `Process` artifacts become host files, packages and plain host work before planning: a
//! daemontools service directory or a systemd unit, the accounts and directories the process
//! needs, how it is started and what restarts it. Past this module nothing knows which
//! supervisor runs a process.

mod daemontools;
mod systemd;

use std::collections::BTreeMap;

use stackc_diag::Diagnostic;
use stackc_model::Stack;
use stackc_plugin_host::{Artifact, HostFile, Process, Supervisor};

use crate::Rendered;
use crate::host_work::{Handler, OwnedDirectory, Start};

/// What supervising one process takes on the hosts of its service.
#[derive(Debug, Clone)]
pub(crate) struct Supervision {
    /// On every host of the service.
    pub(crate) files: Vec<HostFile>,
    pub(crate) packages: Vec<&'static str>,
    /// System accounts to create; never `root` or `nobody`, which every host has.
    pub(crate) accounts: Vec<String>,
    pub(crate) directories: Vec<OwnedDirectory>,
    pub(crate) starts: Vec<Start>,
    pub(crate) handler: Handler,
}

/// The supervision of every usable process, by service index, in artifact order. A process
/// that would mean something other than it asks for is reported and left out.
pub(crate) fn supervise(
    stack: &Stack,
    rendered: &[Rendered],
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<usize, Vec<Supervision>> {
    let mut supervised: BTreeMap<usize, Vec<Supervision>> = BTreeMap::new();
    for r in rendered {
        let service = &stack.services[r.service];
        for artifact in &r.artifacts {
            let Artifact::Process(process) = artifact else { continue };
            let mut problems = check(process);
            let supervision = match process.supervisor {
                Supervisor::Daemontools => daemontools::supervise(process),
                Supervisor::Systemd => Ok(systemd::supervise(process, &service.name.value)),
            };
            match supervision {
                Ok(supervision) if problems.is_empty() => {
                    supervised.entry(r.service).or_default().push(supervision);
                    continue;
                }
                Ok(_) => {}
                Err(more) => problems.extend(more),
            }
            for problem in problems {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::process",
                        format!("plugin `{}` asked for process `{}`: {problem}", r.plugin, process.name),
                    )
                    .at(service.name.span, "in this service"),
                );
            }
        }
    }
    supervised
}

/// A file generated for a process, on every host of its service.
fn host_file(path: String, contents: String, mode: u32) -> HostFile {
    HostFile { host: None, path, contents: contents.into_bytes(), mode, owner: None, group: None }
}

/// The accounts among `users` that must be created.
fn accounts<'a>(users: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    users.into_iter().filter(|u| *u != "root" && *u != "nobody").map(str::to_owned).collect()
}

/// What would make a run script or unit mean something other than the process asks for.
fn check(process: &Process) -> Vec<String> {
    let mut problems = Vec::new();
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !name_ok(&process.name) {
        problems.push("the name must be letters, digits, `-`, `_` and `.`".to_owned());
    }
    if !name_ok(&process.user) {
        problems.push(format!("`{}` is not a usable user name", process.user));
    }
    if !process.working_directory.starts_with('/') || process.working_directory.contains(char::is_control) {
        problems.push(format!("the working directory `{}` is not an absolute path", process.working_directory));
    }
    match process.command.first() {
        None => problems.push("the command is empty".to_owned()),
        Some(program) if !program.starts_with('/') => {
            problems.push(format!("the program `{program}` must be an absolute path"));
        }
        Some(_) => {}
    }
    if process.command.iter().any(|a| a.contains(char::is_control)) {
        problems.push("a command argument contains a control character".to_owned());
    }
    for (key, value) in &process.environment {
        let valid = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            problems.push(format!("`{key}` is not a valid environment variable name"));
        }
        if value.contains(char::is_control) {
            problems.push(format!("the value of `{key}` contains a control character"));
        }
    }
    problems
}
