//! The Compose project: what it writes for services that use every Compose artifact, and what
//! it refuses.

use stackc_plugin_host::{
    Artifact, BundleFile, Container, ContainerFile, Healthcheck, ImageBuild, Network, PublishedPort, RestartPolicy,
    SecretFile, Volume, VolumeMount,
};

use super::fixture::{Fixture, diagnostics, listing};
use super::{env, file, vault};

fn container(name: &str, image: &str, user: &str) -> Container {
    Container {
        name: name.to_owned(),
        image: image.to_owned(),
        build: None,
        entrypoint: Vec::new(),
        command: Vec::new(),
        environment: Vec::new(),
        secret_environment: Vec::new(),
        files: Vec::new(),
        secret_files: Vec::new(),
        user: user.to_owned(),
        ports: Vec::new(),
        volumes: Vec::new(),
        networks: Vec::new(),
        healthcheck: None,
        restart: RestartPolicy::UnlessStopped,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn network(name: &str, internal: bool) -> Artifact {
    Artifact::Network(Network { name: name.to_owned(), internal })
}

/// A database with a volume, a config file, a secret in its environment and one as a file, on
/// an internal network; an API built from a context, publishing a port, that references it;
/// a worker without a healthcheck that the API's sidecar waits for.
pub(crate) fn project() -> Fixture {
    let mut f = Fixture::new("shop");
    f.compose("shop").secret("db-password", env("DB_PASSWORD")).secret("api-key", env("API_KEY"));
    let mut db = container("db", "postgres:15", "postgres");
    db.command = strings(&["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"]);
    db.environment = vec![("PGDATA".to_owned(), "/var/lib/postgresql/data/$pgdata".to_owned())];
    db.secret_environment = vec![("POSTGRES_PASSWORD".to_owned(), "db-password".to_owned())];
    db.files = vec![ContainerFile {
        path: "/etc/postgresql/postgresql.conf".to_owned(),
        contents: b"listen_addresses = '*'\n".to_vec(),
        mode: 0o644,
    }];
    db.secret_files = vec![SecretFile {
        path: "/run/secrets/db-password".to_owned(),
        secret: "db-password".to_owned(),
        mode: 0o400,
        owner: None,
        group: None,
    }];
    db.volumes = vec![VolumeMount {
        volume: "db-data".to_owned(),
        target: "/var/lib/postgresql/data".to_owned(),
        read_only: false,
    }];
    db.networks = strings(&["data"]);
    db.healthcheck = Some(Healthcheck {
        command: strings(&["pg_isready", "-U", "postgres"]),
        interval_seconds: 5,
        timeout_seconds: 3,
        retries: 5,
        start_period_seconds: 10,
    });
    f.compose_service(
        "db",
        "postgres",
        &[],
        vec![network("data", true), Artifact::Volume(Volume { name: "db-data".to_owned() }), Artifact::Container(db)],
    );
    let mut worker = container("worker", "python:3.12-slim", "1000:1000");
    worker.networks = strings(&["data"]);
    worker.restart = RestartPolicy::No;
    f.compose_service("worker", "worker", &[], vec![Artifact::Container(worker)]);
    let mut api = container("api", "shop/api:latest", "app");
    api.build = Some("api".to_owned());
    api.secret_environment = vec![("API_KEY".to_owned(), "api-key".to_owned())];
    api.ports = vec![PublishedPort {
        host_ip: Some("127.0.0.1".to_owned()),
        host_port: 8080,
        container_port: 8000,
        protocol: "tcp".to_owned(),
    }];
    api.networks = strings(&["data", "web"]);
    let sidecar = container("api-exporter", "exporter:1", "nobody");
    let build = ImageBuild {
        name: "api".to_owned(),
        files: vec![
            BundleFile { path: "Dockerfile".to_owned(), contents: b"FROM python:3.12-slim\n".to_vec(), mode: 0o644 },
            BundleFile { path: "app/main.py".to_owned(), contents: b"print('hi')\n".to_vec(), mode: 0o644 },
        ],
    };
    f.compose_service(
        "api",
        "flask-app",
        &["db", "worker"],
        vec![
            network("web", false),
            network("data", true),
            Artifact::ImageBuild(build),
            Artifact::Container(api),
            Artifact::Container(sidecar),
        ],
    );
    f
}

#[test]
fn a_compose_project() {
    let f = project();
    let (files, problems) = f.emit();
    assert_eq!(diagnostics(problems), "");
    insta::assert_snapshot!(listing(&files));
}

#[test]
fn compose_problems_are_reported_at_the_service() {
    let mut f = Fixture::new("broken");
    f.compose("broken").secret("vaulted", vault("vault_x")).host("h", "10.0.0.1", &[], &[]);
    let mut root = container("other-name", "x:1", "root");
    root.volumes = vec![VolumeMount { volume: "nowhere".to_owned(), target: "/data".to_owned(), read_only: false }];
    root.networks = strings(&["undeclared"]);
    root.build = Some("missing".to_owned());
    root.secret_environment = vec![("BAD-NAME".to_owned(), "vaulted".to_owned())];
    root.ports = vec![PublishedPort { host_ip: None, host_port: 80, container_port: 80, protocol: "tcp".to_owned() }];
    f.compose_service(
        "one",
        "x",
        &[],
        vec![
            Artifact::Container(root),
            network("shared", true),
            Artifact::ImageBuild(ImageBuild { name: "one".to_owned(), files: Vec::new() }),
        ],
    );
    let mut two = container("two", "x:1", "0:0");
    two.ports = vec![PublishedPort { host_ip: None, host_port: 80, container_port: 8080, protocol: "tcp".to_owned() }];
    f.compose_service("two", "x", &[], vec![Artifact::Container(two), network("shared", false)]);
    // A host plugin placed on the project, and a Compose plugin placed on a host.
    f.compose_service("three", "nginx", &[], vec![file(None, "/etc/nginx/nginx.conf", "x", 0o644)]);
    f.service("four", "postgres", &["h"], &[], vec![Artifact::Container(container("four", "postgres:15", "postgres"))]);
    let (_, problems) = f.emit();
    insta::assert_snapshot!(diagnostics(problems));
}
