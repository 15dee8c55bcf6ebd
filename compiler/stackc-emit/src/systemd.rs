//! systemd units for `Process` artifacts with the systemd supervisor:
//! `/etc/systemd/system/<name>.service`, restarted whenever the process exits.

use stackc_plugin_host::Process;

use crate::supervise::GeneratedFile;

pub(crate) fn unit_path(process: &Process) -> String {
    format!("/etc/systemd/system/{}.service", process.name)
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

pub(crate) fn files(process: &Process, service: &str) -> Vec<GeneratedFile> {
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
    vec![GeneratedFile { path: unit_path(process), contents: unit.into_bytes(), mode: 0o644 }]
}

#[cfg(test)]
mod tests {
    use stackc_plugin_host::{Process, Supervisor};

    use super::files;

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
        let unit = String::from_utf8(files(&process, "svc").remove(0).contents).expect("utf-8");
        assert!(unit.contains("\nExecStart=\"/usr/bin/printf\" \"100%% of $$HOME \\\"quoted\\\"\"\n"), "{unit}");
        assert!(unit.contains("\nEnvironment=\"GREETING=a b%%\"\n"), "{unit}");
    }
}
