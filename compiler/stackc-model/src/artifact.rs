//! What plugins return: one thing a service needs. Plugins say *what*; emitters decide *how*.
//!
//! These mirror the WIT `artifact` variant; the plugin host converts, so nothing past it sees
//! generated bindings.

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

/// A file installed on the hosts of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFile {
    /// Only on this host; `None` means every host of the service.
    pub host: Option<String>,
    /// Absolute path on the host.
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
}

/// A host file whose contents come from a secret at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFile {
    pub path: String,
    pub secret: String,
    pub mode: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptRepository {
    pub name: String,
    pub uris: String,
    pub suites: String,
    pub components: String,
    pub signed_by: String,
}

/// A packaged service under the host's init system.
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

/// A long-running program to supervise.
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

/// A file in the bundle outside any host tree.
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
