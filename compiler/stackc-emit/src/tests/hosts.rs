//! Host deployments beyond files and units: files owned by service accounts, administrators'
//! login accounts, and rolling delivery through the traffic gates of a load balancer.

use stackc_plugin_host::{Account, Artifact, HostFile, HttpCheck, SecretFile, TrafficGate};

use super::fixture::{Fixture, diagnostics, listing};
use super::{file, vault};

fn owned(path: &str, contents: &str, owner: &str) -> Artifact {
    let Artifact::HostFile(f) = file(None, path, contents, 0o640) else { unreachable!() };
    Artifact::HostFile(HostFile { owner: Some(owner.to_owned()), group: Some(owner.to_owned()), ..f })
}

fn check(host: &str, address: &str) -> Artifact {
    Artifact::HttpCheck(HttpCheck {
        name: format!("api answers on {host}"),
        url: format!("http://{address}:8080/health"),
        status: 200,
        insecure: false,
    })
}

fn gate(host: &str) -> Artifact {
    let argv = |action: &str| ["/usr/local/sbin/gate", action, host].map(str::to_owned).to_vec();
    Artifact::TrafficGate(TrafficGate {
        service: "api".to_owned(),
        host: host.to_owned(),
        drain: argv("drain"),
        enable: argv("enable"),
    })
}

fn admin(name: &str) -> Account {
    Account {
        name: name.to_owned(),
        groups: vec!["admins".to_owned()],
        authorized_keys: vec![format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample {name}@laptop")],
        shell: "/bin/bash".to_owned(),
    }
}

/// Two API servers behind a balancer that gates them, and administrators on every host.
fn api_ha() -> Fixture {
    let mut f = Fixture::new("api-ha");
    f.secret("api-token", vault("vault_api_token"))
        .host("api1", "10.30.0.21", &["api"], &[])
        .host("api2", "10.30.0.22", &["api"], &[])
        .host("lb1", "10.30.0.11", &["balancers"], &[]);
    f.service(
        "lb",
        "haproxy",
        &["lb1"],
        &["api"],
        vec![
            file(None, "/etc/haproxy/haproxy.cfg", "global\n", 0o644),
            file(None, "/usr/local/sbin/gate", "#!/bin/sh\n", 0o755),
            gate("api1"),
            gate("api2"),
        ],
    );
    f.service(
        "api",
        "app",
        &["api1", "api2"],
        &[],
        vec![
            owned("/opt/api/config.json", "{}\n", "api"),
            file(None, "/opt/api/server.js", "// api\n", 0o644),
            Artifact::SecretFile(SecretFile {
                path: "/opt/api/token".to_owned(),
                secret: "api-token".to_owned(),
                mode: 0o400,
                owner: Some("api".to_owned()),
                group: None,
            }),
            check("api1", "10.30.0.21"),
            check("api2", "10.30.0.22"),
        ],
    );
    f.service(
        "admins",
        "admins",
        &["api1", "api2", "lb1"],
        &[],
        vec![Artifact::Account(admin("olena")), Artifact::Account(admin("taras"))],
    );
    f
}

#[test]
fn rolling_delivery_owners_and_logins() {
    let (files, problems) = api_ha().emit();
    assert_eq!(diagnostics(problems), "");
    let site: Vec<_> = files.into_iter().filter(|f| f.path == "ansible/site.yml").collect();
    insta::assert_snapshot!(listing(&site));
}

#[test]
fn bad_gates_accounts_owners_and_labels_are_reported() {
    let mut f = api_ha();
    f.host("odd", "10.30.0.99", &[], &[("zone a", "x")]);
    f.service(
        "stray",
        "haproxy",
        &["lb1"],
        &[],
        vec![
            gate("api1"),
            owned("/etc/stray", "x\n", "Not A User"),
            Artifact::Account(Account {
                authorized_keys: vec!["-----BEGIN OPENSSH PRIVATE KEY-----".to_owned()],
                shell: "bash".to_owned(),
                ..admin("olena")
            }),
        ],
    );
    let (_, problems) = f.emit();
    insta::assert_snapshot!(diagnostics(problems));
}
