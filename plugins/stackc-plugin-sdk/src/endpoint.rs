//! Endpoints: what a service declares, and where references find them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Endpoint, EndpointRole, ServicePort};

impl Endpoint {
    /// An HTTP endpoint at `path`.
    pub fn http(name: &str, port: u16, path: &str, role: EndpointRole) -> Self {
        Endpoint {
            name: name.to_owned(),
            port,
            protocol: "http".to_owned(),
            path: path.to_owned(),
            role,
            in_cluster: None,
        }
    }

    /// A plain TCP endpoint speaking `protocol`.
    pub fn tcp(name: &str, port: u16, protocol: &str, role: EndpointRole) -> Self {
        Endpoint {
            name: name.to_owned(),
            port,
            protocol: protocol.to_owned(),
            path: "/".to_owned(),
            role,
            in_cluster: None,
        }
    }

    /// The endpoint of a service in the cluster, behind port `port_name` of the Kubernetes
    /// Service `service` in `namespace`: references to it resolve to that Service's DNS name.
    pub fn in_cluster(self, namespace: &str, service: &str, port_name: &str) -> Self {
        let port = ServicePort {
            namespace: namespace.to_owned(),
            service: service.to_owned(),
            port_name: port_name.to_owned(),
        };
        Endpoint { in_cluster: Some(port), ..self }
    }
}

/// An endpoint on one host, or behind a Kubernetes Service: what references resolve to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlacedEndpoint {
    pub service: String,
    /// The host's name; for a service in the cluster, the Kubernetes Service's name.
    pub host: String,
    /// The host's address; for a service in the cluster, the Service's DNS name
    /// (`<service>.<namespace>.svc.cluster.local`).
    pub address: String,
    /// The export name.
    pub name: String,
    pub port: u16,
    pub protocol: String,
    pub path: String,
    pub role: EndpointRole,
    /// For a service in the cluster: the Service port behind the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_cluster: Option<ServicePort>,
}

impl PlacedEndpoint {
    /// `address:port`, with IPv6 addresses in brackets.
    pub fn authority(&self) -> String {
        authority(&self.address, self.port)
    }

    /// `protocol://address:port/path`.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.protocol, self.authority(), self.path)
    }
}

/// `host:port`, with an IPv6 address in brackets (`[2001:db8::1]:80`), as URLs and listen
/// directives want it.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_are_bracketed() {
        assert_eq!(authority("10.0.0.1", 80), "10.0.0.1:80");
        assert_eq!(authority("2001:db8::1", 443), "[2001:db8::1]:443");
        assert_eq!(authority("web.example.org", 8080), "web.example.org:8080");
    }

    #[test]
    fn roles_cross_as_their_wit_names() {
        let json = serde_json::to_string(&[EndpointRole::Service, EndpointRole::Metrics]).unwrap();
        assert_eq!(json, r#"["service","metrics"]"#);
        let role: EndpointRole = serde_json::from_str(r#""status""#).unwrap();
        assert_eq!(role, EndpointRole::Status);
    }
}
