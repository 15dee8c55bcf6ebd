//! Everything the emitters write for stacks that use every kind of artifact, as snapshots: a
//! change of any output byte shows in review. Real stacks are covered by the CLI's tests; these
//! stacks reach the corners real plugins do not (files on some hosts of a service, two
//! supervisors in one service, checks of both kinds, every secret source).

pub(crate) mod compose;
pub(crate) mod fixture;
pub(crate) mod hosts;

use stackc_model::SecretSource;
use stackc_plugin_host::{
    AptRepository, Artifact, BundleFile, CommandCheck, HelmRelease, HostFile, HttpCheck, KubeObject, KubeSecret,
    Process, SecretFile, Supervisor, SystemService,
};

use fixture::{Fixture, diagnostics, listing};

pub(crate) fn vault(variable: &str) -> SecretSource {
    SecretSource::Vault { variable: variable.to_owned() }
}

pub(crate) fn env(variable: &str) -> SecretSource {
    SecretSource::Env { variable: variable.to_owned() }
}

pub(crate) fn file(host: Option<&str>, path: &str, contents: &str, mode: u32) -> Artifact {
    Artifact::HostFile(HostFile {
        host: host.map(str::to_owned),
        path: path.to_owned(),
        contents: contents.as_bytes().to_vec(),
        mode,
        owner: None,
        group: None,
    })
}

fn secret_file(path: &str, secret: &str, mode: u32) -> Artifact {
    Artifact::SecretFile(SecretFile {
        path: path.to_owned(),
        secret: secret.to_owned(),
        mode,
        owner: None,
        group: None,
    })
}

fn process(name: &str, user: &str, supervisor: Supervisor) -> Artifact {
    Artifact::Process(Process {
        name: name.to_owned(),
        command: vec![format!("/usr/bin/{name}"), "--flag".to_owned(), "a value's".to_owned()],
        user: user.to_owned(),
        working_directory: format!("/var/lib/{name}"),
        environment: vec![("MODE".to_owned(), "prod".to_owned())],
        supervisor,
        log_files: 4,
        log_max_bytes: 65536,
    })
}

fn release(name: &str, repository: &str, version: &str) -> Artifact {
    Artifact::HelmRelease(HelmRelease {
        name: name.to_owned(),
        chart: format!("{name}-chart"),
        repository: repository.to_owned(),
        version: version.to_owned(),
        namespace: "data".to_owned(),
        values: format!("replicas: 2\nname: {name}"),
    })
}

fn object(name: &str, yaml: &str) -> Artifact {
    Artifact::KubeObject(KubeObject { name: name.to_owned(), yaml: yaml.to_owned() })
}

fn kube_secret(name: &str, namespace: &str, entries: &[(&str, &str)]) -> Artifact {
    Artifact::KubeSecret(KubeSecret {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        entries: entries.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    })
}

/// Hosts (one a container), a service with every kind of host artifact, one that runs after
/// the service it references although declared first, and cluster services.
pub(crate) fn everything() -> Fixture {
    let mut f = Fixture::new("every-thing");
    f.secret("tls-cert", vault("vault_tls_cert"))
        .secret("tls-key", env("TLS_KEY"))
        .secret("db-password", vault("vault_db_password"))
        .secret("api-token", env("API_TOKEN"))
        .secret("in-cluster", SecretSource::KubeSecret { name: "existing".to_owned(), key: "k".to_owned() })
        .host("web1", "10.0.0.1", &["web", "all-lab"], &[])
        .host("web2", "10.0.0.2", &["web"], &[])
        .host("box1", "10.0.0.3", &["boxes"], &[("container", "debian:bookworm"), ("container-subnet", "10.0.0.0/24")])
        .host("box2", "10.0.0.4", &[], &[("container", "debian:trixie"), ("container-subnet", "10.9.0.0/24")]);
    f.service(
        "proxy",
        "nginx",
        &["box1"],
        &["web"],
        vec![
            Artifact::Package("nginx".to_owned()),
            file(None, "/etc/nginx/nginx.conf", "user www-data;\n", 0o644),
            Artifact::SystemService(SystemService { name: "nginx".to_owned(), reload: true }),
            Artifact::HttpCheck(HttpCheck {
                name: "proxy answers".to_owned(),
                url: "https://10.0.0.3/".to_owned(),
                status: 200,
                insecure: true,
            }),
        ],
    );
    f.service(
        "web",
        "web-app",
        &["web1", "web2"],
        &[],
        vec![
            Artifact::Package("zlib1g".to_owned()),
            Artifact::Package("nginx".to_owned()),
            Artifact::Package("nginx".to_owned()),
            Artifact::AptRepository(AptRepository {
                name: "vendor".to_owned(),
                uris: "https://apt.example.org".to_owned(),
                suites: "stable".to_owned(),
                components: "main".to_owned(),
                signed_by: "https://apt.example.org/key.gpg".to_owned(),
            }),
            file(None, "/etc/web/app.conf", "port = 80\n", 0o644),
            file(Some("web1"), "/etc/web/only-on-web1.conf", "first = true\n", 0o600),
            file(None, "/usr/local/bin/web-tool", "#!/bin/sh\n", 0o755),
            file(None, "/top-level", "at the root\n", 0o644),
            secret_file("/etc/web/tls/cert.pem", "tls-cert", 0o644),
            secret_file("/etc/web/tls/key.pem", "tls-key", 0o600),
            Artifact::SystemService(SystemService { name: "web-app".to_owned(), reload: false }),
            Artifact::SystemService(SystemService { name: "nginx".to_owned(), reload: true }),
            process("worker", "work", Supervisor::Daemontools),
            process("rooted", "root", Supervisor::Daemontools),
            process("api", "apiuser", Supervisor::Systemd),
            Artifact::HttpCheck(HttpCheck {
                name: "web answers on web1".to_owned(),
                url: "http://10.0.0.1/".to_owned(),
                status: 204,
                insecure: false,
            }),
            Artifact::CommandCheck(CommandCheck {
                name: "worker is running".to_owned(),
                command: vec!["/usr/bin/svstat".to_owned(), "/etc/service/worker".to_owned(), "#1 it's".to_owned()],
            }),
            Artifact::BundleFile(BundleFile {
                path: "docs/README.md".to_owned(),
                contents: b"# web\n".to_vec(),
                mode: 0o644,
            }),
        ],
    );
    f.service(
        "checker",
        "probe",
        &["web2"],
        &[],
        vec![Artifact::CommandCheck(CommandCheck {
            name: "only a check".to_owned(),
            command: vec!["true".to_owned()],
        })],
    );
    f.service(
        "cache",
        "redis-helm",
        &[],
        &[],
        vec![
            release("cache", "oci://registry.example.org/charts/", "1.2.3"),
            release("metrics", "https://prometheus-community.github.io/helm-charts", "25.0.0"),
            kube_secret("cache-auth", "data", &[("password", "db-password"), ("token", "api-token")]),
        ],
    );
    f.service(
        "api",
        "k8s",
        &[],
        &["cache"],
        vec![
            object("deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: apps\n"),
            object(
                "clusterrole",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: api\n",
            ),
            kube_secret("api-env", "apps", &[("DB_PASSWORD", "db-password")]),
        ],
    );
    f.service("idle", "nothing", &["web1"], &[], Vec::new());
    f
}

#[test]
fn every_artifact_kind() {
    let f = everything();
    let (files, problems) = f.emit();
    assert_eq!(diagnostics(problems), "");
    insta::assert_snapshot!(listing(&files));
}

#[test]
fn a_cluster_only_stack_ships_the_vault_example_with_its_playbook() {
    let mut f = Fixture::new("cluster");
    f.secret("pw", vault("vault_pw")).secret("unused", vault("vault_unused")).service(
        "redis",
        "redis-helm",
        &[],
        &[],
        vec![
            release("redis", "https://charts.bitnami.com/bitnami", "20.0.0"),
            kube_secret("auth", "db", &[("p", "pw")]),
        ],
    );
    let (files, problems) = f.emit();
    assert_eq!(diagnostics(problems), "");
    insta::assert_snapshot!(listing(&files));
}

/// Objects of a kind a release's CRDs define (MetalLB's address pool) can only be applied once
/// the release is installed and ready: a service's releases are installed, with `wait`, before
/// its objects are applied, whatever order the plugin returned them in.
#[test]
fn a_release_is_installed_before_the_objects_of_its_crds() {
    let mut f = Fixture::new("lb");
    f.service(
        "metallb",
        "metallb",
        &[],
        &[],
        vec![
            object(
                "ipaddresspool",
                "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: default\n  namespace: metallb-system\n",
            ),
            release("metallb", "https://metallb.github.io/metallb", "0.16.1"),
        ],
    );
    let (files, problems) = f.emit();
    assert_eq!(diagnostics(problems), "");
    let playbook = files.iter().find(|f| f.path == "ansible/kubernetes.yml").expect("the playbook");
    let text = String::from_utf8_lossy(&playbook.contents);
    let install = text.find("Install Helm release metallb").expect("an install task");
    let apply = text.find("Apply the Kubernetes objects of metallb").expect("an apply task");
    assert!(install < apply, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_stack_without_secrets_or_deploy_work_writes_no_playbook() {
    let mut f = Fixture::new("bare");
    f.host("h", "10.0.0.1", &[], &[]).service(
        "docs",
        "docs",
        &["h"],
        &[],
        vec![Artifact::BundleFile(BundleFile { path: "a.txt".to_owned(), contents: b"a".to_vec(), mode: 0o644 })],
    );
    let (files, problems) = f.emit();
    assert_eq!(diagnostics(problems), "");
    insta::assert_snapshot!(listing(&files));
}

#[test]
fn problems_are_reported_at_the_service() {
    let mut f = Fixture::new("broken");
    f.secret("in-cluster", SecretSource::KubeSecret { name: "existing".to_owned(), key: "k".to_owned() })
        .secret("ok", vault("vault_ok"))
        .host("a", "10.0.0.1", &[], &[])
        .host("b", "10.0.0.2", &[], &[])
        .host("box", "10.0.0.3", &[], &[("container", "debian:bookworm")]);
    f.service(
        "one",
        "x",
        &["a"],
        &[],
        vec![
            file(Some("b"), "/etc/elsewhere", "x", 0o644),
            file(None, "/etc/shared", "one", 0o644),
            secret_file("/etc/secret", "in-cluster", 0o600),
            secret_file("/etc/missing", "undeclared", 0o600),
            Artifact::Process(stackc_plugin_host::Process {
                name: "bad name!".to_owned(),
                command: vec!["relative".to_owned()],
                user: "".to_owned(),
                working_directory: "tmp".to_owned(),
                environment: vec![("1X".to_owned(), "a\nb".to_owned())],
                supervisor: Supervisor::Daemontools,
                log_files: 1,
                log_max_bytes: 10,
            }),
        ],
    );
    f.service("two", "x", &["a"], &[], vec![file(None, "/etc/shared", "two", 0o644)]);
    f.service(
        "three",
        "y",
        &[],
        &[],
        vec![
            release("dup", "https://example.org/charts", ""),
            kube_secret("s", "ns", &[("a", "in-cluster"), ("b", "undeclared"), ("c", "ok")]),
            object("kustomization", "kind: X\n"),
            object("o", "kind: X\n"),
            object("o", "kind: Y\n"),
        ],
    );
    f.service(
        "four",
        "y",
        &[],
        &[],
        vec![release("dup", "oci://example.org/charts", "1.0.0"), kube_secret("s", "ns", &[("c", "ok")])],
    );
    let (_, problems) = f.emit();
    insta::assert_snapshot!(diagnostics(problems));
}
