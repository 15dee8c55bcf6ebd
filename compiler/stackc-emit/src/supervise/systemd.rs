//! systemd units: `/etc/systemd/system/<name>.service`, restarted whenever the process exits.
//! The play creates the accounts and the working directory, then enables and starts the unit
//! after reading unit files again; a change restarts it the same way.

use stackc_plugin_host::Process;

use super::{Supervision, accounts, host_file};
use crate::host_work::{Handler, OwnedDirectory, Restart, Start, Trigger};

/// The process as a unit of `service`.
pub(super) fn supervise(process: &Process, service: &str) -> Supervision {
    let unit = format!("{}.service", process.name);
    Supervision {
        files: vec![host_file(format!("/etc/systemd/system/{unit}"), unit_file(process, service), 0o644)],
        packages: Vec::new(),
        accounts: accounts([process.user.as_str()]),
        directories: vec![OwnedDirectory {
            path: process.working_directory.clone(),
            owner: process.user.clone(),
            process: process.name.clone(),
        }],
        starts: vec![Start::Unit { label: process.name.clone(), unit: unit.clone(), daemon_reload: true }],
        handler: Handler {
            name: format!("Restart {}", process.name),
            action: Restart::Unit { unit, reload: false, daemon_reload: true },
            trigger: Trigger::Files,
        },
    }
}

/// One `ExecStart=` word: quoted, with systemd's specifiers and variables escaped.
fn word(arg: &str) -> String {
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An `Environment=` assignment, quoted as a whole.
fn assignment(key: &str, value: &str) -> String {
    let mut out = format!("\"{key}=");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn unit_file(process: &Process, service: &str) -> String {
    let mut unit = format!(
        "# Written by stackc for service `{service}`.\n[Unit]\nDescription={} (stackc service {service})\nWants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=simple\nUser={}\nWorkingDirectory={}\n",
        process.name, process.user, process.working_directory
    );
    for (key, value) in &process.environment {
        unit.push_str(&format!("Environment={}\n", assignment(key, value)));
    }
    let command: Vec<String> = process.command.iter().map(|a| word(a)).collect();
    unit.push_str(&format!(
        "ExecStart={}\nRestart=always\nRestartSec=1\n\n[Install]\nWantedBy=multi-user.target\n",
        command.join(" ")
    ));
    unit
}

#[cfg(test)]
mod tests {
    use stackc_plugin_host::{Process, Supervisor};

    use super::unit_file;

    #[test]
    fn exec_start_words_are_quoted_and_escaped() {
        let process = Process {
            name: "demo".to_owned(),
            command: vec!["/usr/bin/printf".to_owned(), "100% of $HOME \"quoted\"".to_owned()],
            user: "demo".to_owned(),
            working_directory: "/srv/demo".to_owned(),
            environment: vec![("GREETING".to_owned(), "a b%".to_owned())],
            supervisor: Supervisor::Systemd,
            log_files: 0,
            log_max_bytes: 0,
        };
        let unit = unit_file(&process, "svc");
        assert!(unit.contains("\nExecStart=\"/usr/bin/printf\" \"100%% of $$HOME \\\"quoted\\\"\"\n"), "{unit}");
        assert!(unit.contains("\nEnvironment=\"GREETING=a b%%\"\n"), "{unit}");
    }
}
