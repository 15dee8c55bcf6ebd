//! What services offer each other.

/// What an endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EndpointRole {
    Service,
    Metrics,
    Status,
    Peer,
}

impl EndpointRole {
    pub fn name(self) -> &'static str {
        match self {
            EndpointRole::Service => "service",
            EndpointRole::Metrics => "metrics",
            EndpointRole::Status => "status",
            EndpointRole::Peer => "peer",
        }
    }
}

/// An endpoint as a plugin declares it: the same on every host of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub port: u16,
    pub protocol: String,
    pub path: String,
    pub role: EndpointRole,
    /// For a service in the cluster, the Kubernetes Service port it is behind; ignored for
    /// services on hosts and in the Compose project.
    pub in_cluster: Option<ServicePort>,
}

/// A port of a Kubernetes Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub namespace: String,
    /// The Kubernetes Service's name.
    pub service: String,
    pub port_name: String,
}

impl ServicePort {
    /// The Service's DNS name in a cluster with the default domain.
    pub fn dns_name(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.service, self.namespace)
    }
}

/// A named value a service offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

/// What one service offers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exports {
    pub endpoints: Vec<Endpoint>,
    pub facts: Vec<Fact>,
}

impl Exports {
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Every name another service can reference: endpoints, then facts.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.endpoints.iter().map(|e| e.name.as_str()).chain(self.facts.iter().map(|f| f.name.as_str()))
    }
}

/// An endpoint on one concrete host, or behind a Kubernetes Service: what a reference
/// resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedEndpoint {
    pub service: String,
    pub host: String,
    pub address: String,
    pub endpoint: Endpoint,
}
