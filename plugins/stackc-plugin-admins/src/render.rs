//! From config to accounts, the sudo rule and the SSH server's settings.

use stackc_plugin_sdk::{Account, Artifact, ConfigError, HostFile, RenderContext};

use crate::config::Config;

const SUDOERS: &str = "/etc/sudoers.d/stackc-admins";
const SSHD_CONFIG: &str = "/etc/ssh/sshd_config.d/50-stackc-admins.conf";

pub fn render(config: &Config) -> Vec<Artifact> {
    let mut artifacts = vec![Artifact::package("openssh-server"), Artifact::package("sudo")];
    for (name, admin) in &config.admin {
        let mut account = Account::new(name).with_shell(&admin.shell);
        if admin.sudo {
            account = account.in_group(&config.sudo_group);
        }
        for key in &admin.key {
            account = account.with_key(key.trim());
        }
        artifacts.push(account.into());
    }
    // The accounts have no password, so sudo cannot ask for one.
    let sudoers = format!(
        "# Written by stackc; local changes are overwritten.\n\
         # Members of `{group}` may run any command as any user.\n\
         %{group} ALL=(ALL:ALL) NOPASSWD: ALL\n",
        group = config.sudo_group
    );
    artifacts.push(HostFile::new(SUDOERS, sudoers).with_mode(0o440).into());
    let sshd = format!(
        "# Written by stackc; local changes are overwritten.\n\
         # Keys only: no account has a password.\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin {}\n",
        config.permit_root_login
    );
    artifacts.push(HostFile::new(SSHD_CONFIG, sshd).into());
    artifacts.push(Artifact::reloaded_service("ssh"));
    artifacts
}

/// Names `useradd` takes, public keys, and values sshd knows.
pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if context.compose_project.is_some() || context.hosts.is_empty() {
        errors.push(
            ConfigError::service("administrators log in to hosts")
                .with_help("place the service on the hosts they administer: `on=\"all\"`"),
        );
    }
    if config.admin.is_empty() {
        errors.push(
            ConfigError::service("no administrator is named")
                .with_help("add `admin \"name\" { key (file)\"keys/name.pub\"; }`"),
        );
    }
    if !user_name(&config.sudo_group) {
        errors.push(ConfigError::at(&["sudo-group"], format!("`{}` is not a group name", config.sudo_group)));
    }
    if !["prohibit-password", "no"].contains(&config.permit_root_login.as_str()) {
        errors.push(
            ConfigError::at(
                &["permit-root-login"],
                format!("`{}` would let root log in with a password", config.permit_root_login),
            )
            .with_help("use `prohibit-password` or `no`"),
        );
    }
    for (name, admin) in &config.admin {
        if !user_name(name) || name == "root" {
            errors.push(
                ConfigError::at(&["admin", name], format!("`{name}` cannot name an administrator's account"))
                    .on_key()
                    .with_help("a lower-case letter or `_`, then lower-case letters, digits, `_` or `-`; not root"),
            );
        }
        if !admin.shell.starts_with('/') {
            errors.push(ConfigError::at(&["admin", name, "shell"], "the shell is not an absolute path"));
        }
        if admin.key.is_empty() {
            errors.push(ConfigError::at(&["admin", name], "an administrator needs at least one key").on_key());
        }
        for (i, key) in admin.key.iter().enumerate() {
            if let Err(why) = public_key(key) {
                errors.push(
                    ConfigError::at(&["admin", name, "key", &i.to_string()], why).with_help(
                        "give the public key: the one line of `~/.ssh/id_ed25519.pub`, never the private key",
                    ),
                );
            }
        }
    }
    errors
}

/// A user or group name as `useradd` takes it.
fn user_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    first && name.len() <= 32 && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Whether `key` is one line of an OpenSSH public key.
fn public_key(key: &str) -> Result<(), String> {
    if key.contains("PRIVATE KEY") {
        return Err("this is a private key: it must never be in a stack".to_owned());
    }
    let key = key.trim();
    if key.contains('\n') {
        return Err("a key is one line".to_owned());
    }
    let mut fields = key.split_whitespace();
    let kind = fields.next().unwrap_or("");
    let known = kind.starts_with("ssh-") || kind.starts_with("ecdsa-sha2-") || kind.starts_with("sk-");
    if !known || fields.next().is_none_or(|blob| !blob.starts_with("AAAA")) {
        return Err(format!("`{}` is not an OpenSSH public key", key.chars().take(24).collect::<String>()));
    }
    Ok(())
}
