//! Constructors of the artifact records the WIT defines.
//!
//! Each record has one constructor that names every field (the defaults live there), and
//! builder methods for the fields a plugin may want to change. When the WIT gains a field, its
//! default goes into that constructor; plugins, which cannot write the records' struct
//! literals (they are `#[non_exhaustive]`), do not change. The `Artifact` shorthands below
//! call the constructors.

use crate::{
    Account, AptRepository, Artifact, BundleFile, CommandCheck, Container, ContainerFile, Healthcheck, HelmRelease,
    HostFile, HttpCheck, ImageBuild, KubeObject, KubeSecret, Network, Process, PublishedPort, RestartPolicy,
    SecretFile, Supervisor, SystemService, TrafficGate, Volume, VolumeMount,
};

impl HostFile {
    /// A file on every host of the service, with mode 0644.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        HostFile { host: None, path: path.into(), contents: contents.into(), mode: 0o644, owner: None, group: None }
    }

    /// Only on `host`, a name from [`RenderContext::hosts`](crate::RenderContext::hosts).
    #[must_use]
    pub fn on_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    #[must_use]
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Owned by `owner` and `group` rather than root.
    #[must_use]
    pub fn owned_by(mut self, owner: impl Into<String>, group: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self.group = Some(group.into());
        self
    }
}

impl SecretFile {
    /// A host file holding the secret named `secret`, owned by root and readable by its owner
    /// only (0600).
    pub fn new(path: impl Into<String>, secret: impl Into<String>) -> Self {
        SecretFile { path: path.into(), secret: secret.into(), mode: 0o600, owner: None, group: None }
    }

    #[must_use]
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Owned by `owner` and `group` rather than root (on hosts only: Compose ignores it).
    #[must_use]
    pub fn owned_by(mut self, owner: impl Into<String>, group: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self.group = Some(group.into());
        self
    }
}

impl Account {
    /// A login account with `/bin/bash` as its shell, in no group but its own and with no
    /// key yet.
    pub fn new(name: impl Into<String>) -> Self {
        Account { name: name.into(), groups: Vec::new(), authorized_keys: Vec::new(), shell: "/bin/bash".to_owned() }
    }

    /// Also a member of `group`.
    #[must_use]
    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Allows logging in with the OpenSSH public key `key`.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.authorized_keys.push(key.into());
        self
    }

    #[must_use]
    pub fn with_shell(mut self, shell: impl Into<String>) -> Self {
        self.shell = shell.into();
        self
    }
}

impl TrafficGate {
    /// `host` of `service` is drained by running `drain` on this service's hosts and put back
    /// by running `enable` (argv, the first element an absolute path).
    pub fn new(service: impl Into<String>, host: impl Into<String>, drain: Vec<String>, enable: Vec<String>) -> Self {
        TrafficGate { service: service.into(), host: host.into(), drain, enable }
    }
}

impl AptRepository {
    /// A deb822 source: `URIs`, `Suites`, `Components` and the URL of its `Signed-By` key.
    pub fn new(
        name: impl Into<String>,
        uris: impl Into<String>,
        suites: impl Into<String>,
        components: impl Into<String>,
        signed_by: impl Into<String>,
    ) -> Self {
        AptRepository {
            name: name.into(),
            uris: uris.into(),
            suites: suites.into(),
            components: components.into(),
            signed_by: signed_by.into(),
        }
    }
}

impl SystemService {
    /// A packaged service that is restarted when its files change.
    pub fn restarted(name: impl Into<String>) -> Self {
        SystemService { name: name.into(), reload: false }
    }

    /// A packaged service that is reloaded when its files change.
    pub fn reloaded(name: impl Into<String>) -> Self {
        SystemService { reload: true, ..SystemService::restarted(name) }
    }
}

impl Process {
    /// `command` (its first element an absolute path) run as `user` in `/`, under systemd,
    /// with an empty environment; daemontools would keep 10 log files of 1 MB.
    pub fn new(name: impl Into<String>, command: Vec<String>, user: impl Into<String>) -> Self {
        Process {
            name: name.into(),
            command,
            user: user.into(),
            working_directory: "/".to_owned(),
            environment: Vec::new(),
            supervisor: Supervisor::Systemd,
            log_files: 10,
            log_max_bytes: 1_000_000,
        }
    }

    #[must_use]
    pub fn in_directory(mut self, directory: impl Into<String>) -> Self {
        self.working_directory = directory.into();
        self
    }

    #[must_use]
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.push((name.into(), value.into()));
        self
    }

    #[must_use]
    pub fn supervised_by(mut self, supervisor: Supervisor) -> Self {
        self.supervisor = supervisor;
        self
    }

    /// Under daemontools: keep `files` log files of at most `max_bytes` each.
    #[must_use]
    pub fn with_log_rotation(mut self, files: u32, max_bytes: u32) -> Self {
        self.log_files = files;
        self.log_max_bytes = max_bytes;
        self
    }
}

impl HttpCheck {
    /// A GET of `url` that must answer `status`, with the certificate verified.
    pub fn new(name: impl Into<String>, url: impl Into<String>, status: u16) -> Self {
        HttpCheck { name: name.into(), url: url.into(), status, insecure: false }
    }

    /// Skips certificate verification, for self-signed lab certificates.
    #[must_use]
    pub fn insecure(mut self) -> Self {
        self.insecure = true;
        self
    }
}

impl CommandCheck {
    /// `command` (argv) must exit 0.
    pub fn new(name: impl Into<String>, command: Vec<String>) -> Self {
        CommandCheck { name: name.into(), command }
    }
}

impl BundleFile {
    /// A file under the service's directory in the bundle, with mode 0644.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        BundleFile { path: path.into(), contents: contents.into(), mode: 0o644 }
    }

    #[must_use]
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }
}

impl KubeObject {
    /// One object, written to `<name>.yaml`.
    pub fn new(name: impl Into<String>, yaml: impl Into<String>) -> Self {
        KubeObject { name: name.into(), yaml: yaml.into() }
    }
}

impl KubeSecret {
    /// A Secret whose `entries` map data keys to names of stack secrets.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>, entries: Vec<(String, String)>) -> Self {
        KubeSecret { name: name.into(), namespace: namespace.into(), entries }
    }
}

impl HelmRelease {
    /// Release `name` of `chart` at the pinned `version` from `repository`, in `namespace`,
    /// with `values` as its values.yaml.
    pub fn new(
        name: impl Into<String>,
        chart: impl Into<String>,
        repository: impl Into<String>,
        version: impl Into<String>,
        namespace: impl Into<String>,
        values: impl Into<String>,
    ) -> Self {
        HelmRelease {
            name: name.into(),
            chart: chart.into(),
            repository: repository.into(),
            version: version.into(),
            namespace: namespace.into(),
            values: values.into(),
        }
    }
}

impl Container {
    /// A container of the service's Compose project running `image` as `user` (`uid:gid`,
    /// never root), restarted unless stopped, with the image's entrypoint and command, on no
    /// network yet.
    pub fn new(name: impl Into<String>, image: impl Into<String>, user: impl Into<String>) -> Self {
        Container {
            name: name.into(),
            image: image.into(),
            build: None,
            entrypoint: Vec::new(),
            command: Vec::new(),
            environment: Vec::new(),
            secret_environment: Vec::new(),
            files: Vec::new(),
            secret_files: Vec::new(),
            user: user.into(),
            ports: Vec::new(),
            volumes: Vec::new(),
            networks: Vec::new(),
            healthcheck: None,
            restart: RestartPolicy::UnlessStopped,
        }
    }

    /// Runs the image that the service's `image-build` named `build` makes.
    #[must_use]
    pub fn built_by(mut self, build: impl Into<String>) -> Self {
        self.build = Some(build.into());
        self
    }

    #[must_use]
    pub fn with_entrypoint(mut self, entrypoint: Vec<String>) -> Self {
        self.entrypoint = entrypoint;
        self
    }

    #[must_use]
    pub fn with_command(mut self, command: Vec<String>) -> Self {
        self.command = command;
        self
    }

    #[must_use]
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.environment.push((name.into(), value.into()));
        self
    }

    /// Sets variable `name` from the stack secret `secret` when the project starts.
    #[must_use]
    pub fn with_secret_env(mut self, name: impl Into<String>, secret: impl Into<String>) -> Self {
        self.secret_environment.push((name.into(), secret.into()));
        self
    }

    /// Mounts `file` read-only.
    #[must_use]
    pub fn with_file(mut self, file: ContainerFile) -> Self {
        self.files.push(file);
        self
    }

    /// Mounts the stack secret `secret` as a file at `path`, readable by the owner only.
    #[must_use]
    pub fn with_secret_file(mut self, path: impl Into<String>, secret: impl Into<String>) -> Self {
        self.secret_files.push(SecretFile::new(path, secret).with_mode(0o400));
        self
    }

    #[must_use]
    pub fn publish(mut self, port: PublishedPort) -> Self {
        self.ports.push(port);
        self
    }

    /// Mounts the service's named volume `volume` at `target`, writable.
    #[must_use]
    pub fn with_volume(mut self, volume: impl Into<String>, target: impl Into<String>) -> Self {
        self.volumes.push(VolumeMount { volume: volume.into(), target: target.into(), read_only: false });
        self
    }

    /// Joins `network`, declared by some service's [`Network`] artifact.
    #[must_use]
    pub fn on_network(mut self, network: impl Into<String>) -> Self {
        self.networks.push(network.into());
        self
    }

    #[must_use]
    pub fn with_healthcheck(mut self, healthcheck: Healthcheck) -> Self {
        self.healthcheck = Some(healthcheck);
        self
    }

    #[must_use]
    pub fn with_restart(mut self, restart: RestartPolicy) -> Self {
        self.restart = restart;
        self
    }
}

impl ContainerFile {
    /// A file mounted read-only at `path` inside the container, mode 0644.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        ContainerFile { path: path.into(), contents: contents.into(), mode: 0o644 }
    }

    #[must_use]
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }
}

impl PublishedPort {
    /// TCP `container_port` published on `host_port` of every address of the machine.
    pub fn tcp(host_port: u16, container_port: u16) -> Self {
        PublishedPort { host_ip: None, host_port, container_port, protocol: "tcp".to_owned() }
    }

    /// Published on `address` of the machine only.
    #[must_use]
    pub fn on_address(mut self, address: impl Into<String>) -> Self {
        self.host_ip = Some(address.into());
        self
    }
}

impl Healthcheck {
    /// `command` (argv, run inside the container) every 5 s, failing after 3 s, unhealthy
    /// after 5 failures, with 10 s to start.
    pub fn new(command: Vec<String>) -> Self {
        Healthcheck { command, interval_seconds: 5, timeout_seconds: 3, retries: 5, start_period_seconds: 10 }
    }

    #[must_use]
    pub fn with_timing(mut self, interval_seconds: u32, timeout_seconds: u32, retries: u32) -> Self {
        self.interval_seconds = interval_seconds;
        self.timeout_seconds = timeout_seconds;
        self.retries = retries;
        self
    }

    #[must_use]
    pub fn with_start_period(mut self, seconds: u32) -> Self {
        self.start_period_seconds = seconds;
        self
    }
}

impl ImageBuild {
    /// An image built from `files` (paths relative to the build context, a `Dockerfile`
    /// among them).
    pub fn new(name: impl Into<String>, files: Vec<BundleFile>) -> Self {
        ImageBuild { name: name.into(), files }
    }
}

impl Network {
    /// A network with a route out.
    pub fn new(name: impl Into<String>) -> Self {
        Network { name: name.into(), internal: false }
    }

    /// A network without a route out: its containers are reachable only from containers on it.
    pub fn internal(name: impl Into<String>) -> Self {
        Network { internal: true, ..Network::new(name) }
    }
}

impl Volume {
    pub fn new(name: impl Into<String>) -> Self {
        Volume { name: name.into() }
    }
}

macro_rules! into_artifact {
    ($($kind:ident),* $(,)?) => {
        $(
            impl From<$kind> for Artifact {
                fn from(record: $kind) -> Self {
                    Artifact::$kind(record)
                }
            }
        )*
    };
}

into_artifact!(
    HostFile,
    SecretFile,
    AptRepository,
    SystemService,
    Process,
    HttpCheck,
    CommandCheck,
    BundleFile,
    KubeObject,
    KubeSecret,
    HelmRelease,
    Container,
    ImageBuild,
    Network,
    Volume,
    Account,
    TrafficGate,
);

/// Shorthands for the most common artifacts.
impl Artifact {
    /// A file on every host of the service, with mode 0644.
    pub fn host_file(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        HostFile::new(path, contents).into()
    }

    /// A host file with a secret's contents, readable by its owner only.
    pub fn secret_file(path: impl Into<String>, secret: impl Into<String>) -> Self {
        SecretFile::new(path, secret).into()
    }

    /// A package to install.
    pub fn package(name: impl Into<String>) -> Self {
        Artifact::Package(name.into())
    }

    /// A packaged service that is reloaded when its files change.
    pub fn reloaded_service(name: impl Into<String>) -> Self {
        SystemService::reloaded(name).into()
    }

    /// A packaged service that is restarted when its files change.
    pub fn restarted_service(name: impl Into<String>) -> Self {
        SystemService::restarted(name).into()
    }

    /// A GET of `url` that must answer `status`.
    pub fn http_check(name: impl Into<String>, url: impl Into<String>, status: u16) -> Self {
        HttpCheck::new(name, url, status).into()
    }

    /// A file in the bundle, with mode 0644.
    pub fn bundle_file(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        BundleFile::new(path, contents).into()
    }
}
