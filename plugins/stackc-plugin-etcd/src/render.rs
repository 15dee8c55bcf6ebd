//! From config to one etcd YAML config file per member.

use serde::Serialize;
use stackc_plugin_sdk::{
    Artifact, CommandCheck, ConfigError, HostFile, RenderContext, SecretFile, Templates, authority,
};

use crate::config::Config;

pub const CONFIG_FILE: &str = "/etc/etcd/etcd.conf.yml";
const DEFAULTS_FILE: &str = "/etc/default/etcd";
const TLS_DIR: &str = "/etc/etcd/tls";

/// Parsed once, ahead of time (see `Templates`).
pub(crate) static TEMPLATES: Templates =
    Templates::embedded(&[("etcd.conf.yml", include_str!("../templates/etcd.conf.yml.hbs"))]);

#[derive(Serialize)]
struct Member<'a> {
    name: &'a str,
    data_dir: &'a str,
    peer_url: String,
    client_url: String,
    initial_cluster: &'a str,
    token: &'a str,
    tls: Option<Tls>,
}

#[derive(Serialize)]
struct Tls {
    cert: String,
    key: String,
    ca: String,
}

fn url(scheme: &str, address: &str, port: u16) -> String {
    format!("{scheme}://{}", authority(address, port))
}

/// The members a cluster that survives `tolerate` failures needs.
pub fn members_needed(tolerate: u32) -> u64 {
    2 * u64::from(tolerate) + 1
}

pub fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let needed = members_needed(config.tolerate);
    let placed = context.hosts.len() as u64;
    if placed < needed {
        errors.push(
            ConfigError::at(
                &["tolerate"],
                format!(
                    "surviving {} failed members needs {needed} members, but the service is placed on {placed} host{}",
                    config.tolerate,
                    if placed == 1 { "" } else { "s" }
                ),
            )
            .with_help(format!("place the service on {needed} hosts, or lower `tolerate`")),
        );
    } else if placed.is_multiple_of(2) {
        errors.push(
            ConfigError::service(format!(
                "an etcd cluster needs an odd number of members, but the service is placed on {placed} hosts"
            ))
            .with_help(format!(
                "a member more or less changes nothing about quorum; place the service on {} or {} hosts",
                placed - 1,
                placed + 1
            )),
        );
    }
    if config.client_port == config.peer_port {
        errors.push(ConfigError::at(&["peer-port"], "the peer port must differ from the client port"));
    }
    if let Some(token) = &config.cluster_name
        && (token.is_empty() || !token.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
    {
        errors.push(
            ConfigError::at(&["cluster-name"], format!("`{token}` is not a usable cluster token"))
                .with_help("use letters, digits, `-`, `_` and `.`"),
        );
    }
    if !config.data_dir.starts_with('/')
        || !config.data_dir.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        errors.push(
            ConfigError::at(&["data-dir"], format!("`{}` is not an absolute path etcd can use", config.data_dir))
                .with_help("an absolute path of letters, digits, `-`, `_`, `.` and `/`"),
        );
    }
    for host in &context.hosts {
        if host.address.is_empty() || host.address.contains(|c: char| c.is_whitespace() || c == ',' || c == '/') {
            errors.push(ConfigError::service(format!(
                "host `{}` has address `{}`, which cannot be used in an etcd URL",
                host.name, host.address
            )));
        }
    }
    errors
}

pub fn render(config: &Config, context: &RenderContext) -> Vec<Artifact> {
    let templates = &TEMPLATES;
    let peer_scheme = config.peer_scheme();
    let token = config.cluster_name.clone().unwrap_or_else(|| format!("{}-{}", context.stack, context.service));
    let initial_cluster = context
        .hosts
        .iter()
        .map(|h| format!("{}={}", h.name, url(peer_scheme, &h.address, config.peer_port)))
        .collect::<Vec<_>>()
        .join(",");
    let mut artifacts = vec![Artifact::package("etcd-server"), Artifact::package("etcd-client")];
    for host in &context.hosts {
        let member = Member {
            name: &host.name,
            data_dir: &config.data_dir,
            peer_url: url(peer_scheme, &host.address, config.peer_port),
            client_url: url("http", &host.address, config.client_port),
            initial_cluster: &initial_cluster,
            token: &token,
            tls: config.peer_tls.as_ref().map(|_| Tls {
                cert: format!("{TLS_DIR}/peer.crt"),
                key: format!("{TLS_DIR}/peer.key"),
                ca: format!("{TLS_DIR}/ca.crt"),
            }),
        };
        artifacts
            .push(HostFile::new(CONFIG_FILE, templates.render("etcd.conf.yml", &member)).on_host(&host.name).into());
    }
    let endpoints: Vec<String> = context.hosts.iter().map(|h| url("http", &h.address, config.client_port)).collect();
    let command = vec![
        "etcdctl".to_owned(),
        format!("--endpoints={}", endpoints.join(",")),
        "--command-timeout=5s".to_owned(),
        "endpoint".to_owned(),
        "health".to_owned(),
        "--cluster".to_owned(),
    ];
    artifacts.push(CommandCheck::new(format!("{} members are healthy", context.service), command).into());
    // Debian's unit runs `etcd $DAEMON_ARGS` with this file as its environment.
    artifacts.push(Artifact::host_file(
        DEFAULTS_FILE,
        format!("# Generated by stackc: etcd reads everything from its config file.\nDAEMON_ARGS=\"--config-file {CONFIG_FILE}\"\n"),
    ));
    if let Some(tls) = &config.peer_tls {
        artifacts.push(SecretFile::new(format!("{TLS_DIR}/peer.crt"), &tls.certificate.name).with_mode(0o644).into());
        artifacts.push(Artifact::secret_file(format!("{TLS_DIR}/peer.key"), &tls.key.name));
        artifacts.push(SecretFile::new(format!("{TLS_DIR}/ca.crt"), &tls.trusted_ca.name).with_mode(0o644).into());
    }
    artifacts.push(Artifact::restarted_service("etcd"));
    artifacts
}

#[cfg(test)]
mod tests {
    use stackc_plugin_sdk::serde_json::json;
    use stackc_plugin_sdk::testing;

    use crate::Etcd;

    fn hosts(n: usize) -> Vec<(String, String)> {
        (1..=n).map(|i| (format!("etcd{i}"), format!("10.0.0.{i}"))).collect()
    }

    fn context(n: usize) -> stackc_plugin_sdk::RenderContext {
        let hosts = hosts(n);
        let refs: Vec<(&str, &str)> = hosts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        testing::context("etcd", &refs)
    }

    #[test]
    fn five_members_for_two_failures() {
        let artifacts = testing::render::<Etcd>(&json!({"tolerate": 2}), &context(5)).unwrap();
        let conf = testing::host_file(&artifacts, "etcd3", super::CONFIG_FILE);
        assert!(conf.contains("name: etcd3\n"), "{conf}");
        assert!(conf.contains("listen-client-urls: http://10.0.0.3:2379\n"), "{conf}");
        assert!(conf.contains("listen-peer-urls: http://10.0.0.3:2380\n"), "{conf}");
        assert!(conf.contains("initial-cluster: etcd1=http://10.0.0.1:2380,etcd2=http://10.0.0.2:2380,etcd3=http://10.0.0.3:2380,etcd4=http://10.0.0.4:2380,etcd5=http://10.0.0.5:2380\n"), "{conf}");
        assert!(!conf.contains("0.0.0.0"), "{conf}");
    }

    #[test]
    fn too_few_members_point_at_tolerate() {
        let errors = testing::render::<Etcd>(&json!({"tolerate": 2}), &context(3)).unwrap_err();
        assert_eq!(errors[0].path, ["tolerate"]);
        assert!(errors[0].message.contains("needs 5 members"), "{}", errors[0].message);
    }

    #[test]
    fn even_member_counts_are_refused() {
        let errors = testing::render::<Etcd>(&json!({"tolerate": 2}), &context(6)).unwrap_err();
        assert!(errors[0].path.is_empty());
        assert!(errors[0].message.contains("odd number"), "{}", errors[0].message);
    }

    #[test]
    fn peer_tls_uses_https_and_secret_files() {
        let config = json!({"tolerate": 1, "peer-tls": {
            "certificate": testing::secret("c"), "key": testing::secret("k"), "trusted-ca": testing::secret("ca")}});
        let artifacts = testing::render::<Etcd>(&config, &context(3)).unwrap();
        let conf = testing::host_file(&artifacts, "etcd1", super::CONFIG_FILE);
        assert!(conf.contains("listen-peer-urls: https://10.0.0.1:2380\n"), "{conf}");
        assert!(conf.contains("client-cert-auth: true"), "{conf}");
    }
}
