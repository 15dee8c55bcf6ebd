//! `Process` artifacts become files before any emitter runs: a daemontools service directory
//! or a systemd unit, added to the service's host files so that every emitter (host trees,
//! Ansible) treats them like any other file.

use stackc_diag::Diagnostic;
use stackc_model::Stack;
use stackc_plugin_host::{Artifact, HostFile, Process, Supervisor};

use crate::{Rendered, daemontools, systemd};

pub(crate) struct GeneratedFile {
    pub(crate) path: String,
    pub(crate) contents: Vec<u8>,
    pub(crate) mode: u32,
}

/// A word for `/bin/sh`, single-quoted unless it is plainly safe.
pub(crate) fn sh_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

pub(crate) fn has_processes(rendered: &[Rendered]) -> bool {
    rendered.iter().any(|r| r.artifacts.iter().any(|a| matches!(a, Artifact::Process(_))))
}

/// `rendered` with each process's supervisor files (and packages) added.
pub(crate) fn expand(stack: &Stack, rendered: &[Rendered], diagnostics: &mut Vec<Diagnostic>) -> Vec<Rendered> {
    rendered
        .iter()
        .map(|r| {
            let service = &stack.services[r.service];
            let mut artifacts = r.artifacts.clone();
            for artifact in &r.artifacts {
                let Artifact::Process(process) = artifact else { continue };
                let problems = check(process);
                if !problems.is_empty() {
                    for problem in problems {
                        diagnostics.push(
                            Diagnostic::error(
                                "stackc::emit::process",
                                format!("plugin `{}` asked for process `{}`: {problem}", r.plugin, process.name),
                            )
                            .at(service.name.span, "in this service"),
                        );
                    }
                    continue;
                }
                let files = match process.supervisor {
                    Supervisor::Daemontools => {
                        artifacts.push(Artifact::Package("daemontools".to_owned()));
                        artifacts.push(Artifact::Package("daemontools-run".to_owned()));
                        daemontools::files(process)
                    }
                    Supervisor::Systemd => systemd::files(process, &service.name.value),
                };
                artifacts.extend(files.into_iter().map(|f| {
                    Artifact::HostFile(HostFile { host: None, path: f.path, contents: f.contents, mode: f.mode })
                }));
            }
            Rendered { service: r.service, plugin: r.plugin.clone(), artifacts }
        })
        .collect()
}

/// What would make a run script or unit mean something other than the process asked for.
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
    if process.supervisor == Supervisor::Daemontools {
        if !(4096..=16_777_215).contains(&process.log_max_bytes) {
            problems
                .push(format!("multilog needs a file size from 4096 to 16777215 bytes, not {}", process.log_max_bytes));
        }
        if process.log_files < 2 {
            problems.push(format!("multilog keeps at least 2 files, not {}", process.log_files));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::sh_quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(sh_quote("/usr/bin/python3"), "/usr/bin/python3");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(sh_quote(""), "''");
    }
}
