//! The data plugins receive and return. These mirror the WIT types so that plugins never
//! touch generated bindings; [`crate::glue`] converts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointRole {
    Service,
    Metrics,
    Status,
    Peer,
}

/// An endpoint a service offers on each of its hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub port: u16,
    pub protocol: String,
    pub path: String,
    pub role: EndpointRole,
}

impl Endpoint {
    /// An HTTP endpoint at `path`.
    pub fn http(name: &str, port: u16, path: &str, role: EndpointRole) -> Self {
        Endpoint { name: name.to_owned(), port, protocol: "http".to_owned(), path: path.to_owned(), role }
    }

    /// A plain TCP endpoint speaking `protocol`.
    pub fn tcp(name: &str, port: u16, protocol: &str, role: EndpointRole) -> Self {
        Endpoint { name: name.to_owned(), port, protocol: protocol.to_owned(), path: "/".to_owned(), role }
    }
}

/// A named value a service offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

/// What a service offers others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exports {
    pub endpoints: Vec<Endpoint>,
    pub facts: Vec<Fact>,
}

/// An endpoint on one host: what references resolve to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlacedEndpoint {
    pub service: String,
    pub host: String,
    pub address: String,
    /// The export name.
    pub name: String,
    pub port: u16,
    pub protocol: String,
    pub path: String,
    pub role: EndpointRole,
}

impl PlacedEndpoint {
    /// `address:port`, with IPv6 addresses in brackets.
    pub fn authority(&self) -> String {
        if self.address.contains(':') {
            format!("[{}]:{}", self.address, self.port)
        } else {
            format!("{}:{}", self.address, self.port)
        }
    }

    /// `protocol://address:port/path`.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.protocol, self.authority(), self.path)
    }
}

/// A host the service runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostInfo {
    pub name: String,
    pub address: String,
    pub groups: Vec<String>,
}

/// Everything `render` knows besides the config.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderContext {
    pub stack: String,
    pub service: String,
    /// The hosts the service is placed on, in stack order.
    pub hosts: Vec<HostInfo>,
    /// Every service's endpoints, when the plugin sets
    /// [`Plugin::WANTS_STACK_ENDPOINTS`](crate::Plugin::WANTS_STACK_ENDPOINTS).
    pub stack_endpoints: Vec<PlacedEndpoint>,
}

/// A file installed on the hosts of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFile {
    /// Only on this host; `None` means every host of the service.
    pub host: Option<String>,
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
}

/// A host file filled from a secret at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFile {
    pub path: String,
    pub secret: String,
    pub mode: u32,
}

/// An APT repository (deb822) to add before installing packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptRepository {
    pub name: String,
    pub uris: String,
    pub suites: String,
    pub components: String,
    pub signed_by: String,
}

/// A packaged service under the init system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemService {
    pub name: String,
    pub reload: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervisor {
    Systemd,
    Daemontools,
}

/// A long-running program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub name: String,
    pub command: Vec<String>,
    pub user: String,
    pub working_directory: String,
    pub environment: Vec<(String, String)>,
    pub supervisor: Supervisor,
    pub log_files: u32,
    pub log_max_bytes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    pub name: String,
    pub url: String,
    pub status: u16,
    pub insecure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandCheck {
    pub name: String,
    pub command: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeObject {
    pub name: String,
    pub yaml: String,
}

/// A Kubernetes Secret filled from stack secrets at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeSecret {
    pub name: String,
    pub namespace: String,
    /// Data key → stack secret name.
    pub entries: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmRelease {
    pub name: String,
    pub chart: String,
    pub repository: String,
    pub version: String,
    pub namespace: String,
    pub values: String,
}

/// One thing a service needs. Plugins say *what*; stackc's emitters decide *how* (Ansible
/// tasks, systemd units, daemontools service directories, kustomizations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artifact {
    HostFile(HostFile),
    SecretFile(SecretFile),
    Package(String),
    AptRepository(AptRepository),
    SystemService(SystemService),
    Process(Process),
    HttpCheck(HttpCheck),
    CommandCheck(CommandCheck),
    BundleFile(BundleFile),
    KubeObject(KubeObject),
    KubeSecret(KubeSecret),
    HelmRelease(HelmRelease),
}

impl Artifact {
    /// A host file with mode 0644.
    pub fn host_file(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        Artifact::HostFile(HostFile { host: None, path: path.into(), contents: contents.into(), mode: 0o644 })
    }

    /// A host file with the given mode.
    pub fn host_file_mode(path: impl Into<String>, contents: impl Into<Vec<u8>>, mode: u32) -> Self {
        Artifact::HostFile(HostFile { host: None, path: path.into(), contents: contents.into(), mode })
    }

    /// A file for one host only, with the given mode.
    pub fn file_on(host: impl Into<String>, path: impl Into<String>, contents: impl Into<Vec<u8>>, mode: u32) -> Self {
        Artifact::HostFile(HostFile { host: Some(host.into()), path: path.into(), contents: contents.into(), mode })
    }

    /// A host file with a secret's contents, readable by its owner only.
    pub fn secret_file(path: impl Into<String>, secret: impl Into<String>) -> Self {
        Artifact::SecretFile(SecretFile { path: path.into(), secret: secret.into(), mode: 0o600 })
    }

    pub fn package(name: impl Into<String>) -> Self {
        Artifact::Package(name.into())
    }

    /// A packaged service that is reloaded when its files change.
    pub fn reloaded_service(name: impl Into<String>) -> Self {
        Artifact::SystemService(SystemService { name: name.into(), reload: true })
    }

    /// A packaged service that is restarted when its files change.
    pub fn restarted_service(name: impl Into<String>) -> Self {
        Artifact::SystemService(SystemService { name: name.into(), reload: false })
    }

    pub fn http_check(name: impl Into<String>, url: impl Into<String>, status: u16) -> Self {
        Artifact::HttpCheck(HttpCheck { name: name.into(), url: url.into(), status, insecure: false })
    }

    pub fn bundle_file(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        Artifact::BundleFile(BundleFile { path: path.into(), contents: contents.into(), mode: 0o644 })
    }
}
