//! The admins plugin's render logic, run natively.

use stackc_plugin_admins::Admins;
use stackc_plugin_sdk::serde_json::json;
use stackc_plugin_sdk::testing::{compose_context, context, host_file, render};
use stackc_plugin_sdk::{Account, Artifact};

const OLENA: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0bGV0dGVyc2FuZGRpZ2l0c29ubHlva2F5 olena@laptop";
const TARAS: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 taras@desk";

fn hosts() -> [(&'static str, &'static str); 2] {
    [("api1", "10.30.0.21"), ("lb1", "10.30.0.11")]
}

#[test]
fn each_admin_is_an_account_with_keys_in_the_sudo_group() {
    let config = json!({
        "admin": {
            "olena": {"key": format!("{OLENA}\n")},
            "taras": {"key": [TARAS], "sudo": false, "shell": "/bin/sh"},
        },
    });
    let artifacts = render::<Admins>(&config, &context("admins", &hosts())).expect("renders");
    let accounts: Vec<&Account> = artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::Account(account) => Some(account),
            _ => None,
        })
        .collect();
    // The trailing newline of a `.pub` file read with `(file)` is not part of the key.
    assert_eq!(accounts[0], &Account::new("olena").in_group("admins").with_key(OLENA));
    assert_eq!(accounts[1], &Account::new("taras").with_shell("/bin/sh").with_key(TARAS));
    insta::assert_snapshot!("sudoers", host_file(&artifacts, "api1", "/etc/sudoers.d/stackc-admins"));
    insta::assert_snapshot!("sshd", host_file(&artifacts, "lb1", "/etc/ssh/sshd_config.d/50-stackc-admins.conf"));
    assert!(artifacts.contains(&Artifact::reloaded_service("ssh")));
    let sudoers = artifacts.iter().find_map(|a| match a {
        Artifact::HostFile(f) if f.path.starts_with("/etc/sudoers.d/") => Some(f.mode),
        _ => None,
    });
    assert_eq!(sudoers, Some(0o440), "sudo ignores a rule file others can write");
}

#[test]
fn a_private_key_is_refused_without_repeating_it() {
    let private = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    let config = json!({"admin": {"olena": {"key": [OLENA, private]}}});
    let errors = render::<Admins>(&config, &context("admins", &hosts())).expect_err("refuses");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, ["admin", "olena", "key", "1"]);
    assert!(errors[0].message.contains("private key") && !errors[0].message.contains("b3Blbn"), "{errors:?}");
}

#[test]
fn names_keys_and_settings_are_checked() {
    let config = json!({
        "admin": {"Root": {"key": "ssh-ed25519 notbase64"}, "root": {"key": []}},
        "sudo-group": "wheel group",
        "permit-root-login": "yes",
    });
    let errors = render::<Admins>(&config, &context("admins", &hosts())).expect_err("refuses");
    let paths: Vec<String> = errors.iter().map(|e| e.path.join(".")).collect();
    assert_eq!(
        paths,
        ["sudo-group", "permit-root-login", "admin.Root", "admin.Root.key.0", "admin.root", "admin.root"]
    );
}

#[test]
fn administrators_log_in_to_hosts_only() {
    let config = json!({"admin": {"olena": {"key": OLENA}}});
    let errors = render::<Admins>(&config, &compose_context("admins", "octopus")).expect_err("refuses");
    assert!(errors[0].message.contains("log in to hosts"), "{errors:?}");
}
