//! The stack: hosts, params, secrets and services.

use std::collections::BTreeMap;

use stackc_diag::{Span, Spanned};

use crate::digest::Sha256Digest;
use crate::value::Value;

/// A resolved stack file with everything it includes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub params: Vec<Param>,
    pub secrets: Vec<Secret>,
    pub hosts: Vec<Host>,
    /// The Compose project services may be placed on (`compose "name"`), if any.
    pub compose: Option<ComposeProject>,
    pub services: Vec<Service>,
    /// Third-party plugins the stack declares, in source order.
    pub plugins: Vec<PluginDecl>,
}

impl Stack {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name.value == name)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }

    /// Service indices by name, for lookups in loops over references.
    pub fn service_index(&self) -> BTreeMap<&str, usize> {
        self.services.iter().enumerate().map(|(i, s)| (s.name.value.as_str(), i)).collect()
    }

    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.name.value == name)
    }

    /// Every group name with its member hosts, sorted by group name.
    pub fn groups(&self) -> BTreeMap<&str, Vec<&Host>> {
        let mut groups: BTreeMap<&str, Vec<&Host>> = BTreeMap::new();
        for host in &self.hosts {
            for group in &host.groups {
                groups.entry(group.value.as_str()).or_default().push(host);
            }
        }
        groups
    }
}

/// A Docker Compose project: services placed on it (`on="<name>"`) run as its containers,
/// which reach each other by name on the networks they share.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeProject {
    /// The project name (`name:` of `compose.yml`).
    pub name: Spanned<String>,
    /// The networks the stack declares for it, in source order.
    pub networks: Vec<ComposeNetwork>,
    /// The whole `compose` node.
    pub span: Span,
}

/// A user-defined network of the Compose project.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeNetwork {
    pub name: Spanned<String>,
    /// No route out: its containers are reachable only from containers on it.
    pub internal: bool,
    pub span: Span,
}

/// A machine (or container) services are placed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub name: Spanned<String>,
    /// IP address or DNS name the deploy tool and other services reach it by.
    pub address: Spanned<String>,
    pub groups: Vec<Spanned<String>>,
    /// Free-form key/value labels, passed to the inventory as host variables.
    pub labels: BTreeMap<String, String>,
    pub span: Span,
}

/// A typed stack parameter, overridable with `--set name=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Spanned<String>,
    pub ty: ParamType,
    /// The value in effect: the `--set` override if there is one, else the default.
    pub value: Value,
    /// True when `--set` gave the value.
    pub overridden: bool,
    /// Bounds of an int, or of each int of a list.
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// The strings an `enum` param may take.
    pub choices: Vec<String>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Int,
    Bool,
    /// A version such as `2.53.1` or `v3.1.0`.
    Version,
    /// A duration such as `15s`, `1m30s` or `500ms` (Prometheus and Go units), kept as written.
    Duration,
    /// An IPv4 or IPv6 address or a DNS name, as a host's `address=` takes.
    Address,
    /// One of [`Param::choices`].
    Enum,
    /// A list of values of one type.
    List(Item),
    /// String keys to string values.
    Map,
}

/// The type of a list's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    String,
    Int,
    Bool,
}

impl ParamType {
    /// The names `type=` takes; a list's item type is set with `item=`.
    pub const ALL: [(&'static str, ParamType); 9] = [
        ("string", ParamType::String),
        ("int", ParamType::Int),
        ("bool", ParamType::Bool),
        ("version", ParamType::Version),
        ("duration", ParamType::Duration),
        ("address", ParamType::Address),
        ("enum", ParamType::Enum),
        ("list", ParamType::List(Item::String)),
        ("map", ParamType::Map),
    ];

    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Bool => "bool",
            ParamType::Version => "version",
            ParamType::Duration => "duration",
            ParamType::Address => "address",
            ParamType::Enum => "enum",
            ParamType::List(_) => "list",
            ParamType::Map => "map",
        }
    }
}

impl Item {
    pub const ALL: [(&'static str, Item); 3] = [("string", Item::String), ("int", Item::Int), ("bool", Item::Bool)];

    pub fn name(self) -> &'static str {
        match self {
            Item::String => "string",
            Item::Int => "int",
            Item::Bool => "bool",
        }
    }
}

/// A secret, declared by reference: where the deploy tool finds the value. The value itself
/// never enters stackc.
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub name: Spanned<String>,
    pub source: SecretSource,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An Ansible Vault variable, e.g. `vault_redis_password`.
    Vault { variable: String },
    /// An environment variable at deploy time (compose `.env`).
    Env { variable: String },
    /// A key of an existing Kubernetes Secret.
    KubeSecret { name: String, key: String },
}

/// A third-party plugin, pinned by the sha256 of its component:
/// `plugin "hello" path="plugins/hello.wasm" sha256="…"`, or published to an OCI registry:
/// `plugin "hello" oci="registry.example.org/plugins/hello:1.0.0" sha256="…"`, optionally with
/// the keys trusted to sign it (`signed-by "ssh-ed25519 AAAA…"` children).
#[derive(Debug, Clone, PartialEq)]
pub struct PluginDecl {
    /// The name services use in `plugin=`; the component must call itself the same.
    pub name: Spanned<String>,
    pub origin: PluginOrigin,
    /// Expected sha256 of the component bytes.
    pub sha256: Spanned<Sha256Digest>,
    /// OpenSSH public key lines, as written: one of them must have signed the component. Empty
    /// means the pin alone vouches for it.
    pub signed_by: Vec<Spanned<String>>,
    /// The whole `plugin` node.
    pub span: Span,
}

/// Where a declared plugin's component comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginOrigin {
    /// A component file as written, relative to the declaring file (`span.file`).
    Path(Spanned<String>),
    /// An OCI reference (`registry/repository:tag`), as written.
    Oci(Spanned<String>),
}

impl PluginOrigin {
    /// The property as written, with its span: what a diagnostic about the component points at.
    pub fn written(&self) -> &Spanned<String> {
        match self {
            PluginOrigin::Path(path) | PluginOrigin::Oci(path) => path,
        }
    }
}

/// Where a service runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// Not on hosts: a cluster-level service (Kubernetes objects, Helm releases).
    Cluster,
    Host(Spanned<String>),
    Group(Spanned<String>),
    /// In the stack's Compose project, named by `on=`.
    Compose(Spanned<String>),
}

/// One service: an instance of a plugin with its config.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: Spanned<String>,
    pub plugin: Spanned<String>,
    pub placement: Placement,
    /// Indices into [`Stack::hosts`], in stack order.
    pub hosts: Vec<usize>,
    /// The config: always a map, from the node's properties and children.
    pub config: Value,
    /// The whole `service` node.
    pub span: Span,
}
