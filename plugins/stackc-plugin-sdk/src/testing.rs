//! Run a plugin natively, without wasm, for unit and snapshot tests.
//!
//! The functions here feed the config through the same JSON decoding the component uses, so
//! a config error in a test is the error a user would see.

use serde_json::{Value, json};

use crate::plugin::{Plugin, check_and_render};
use crate::{
    Artifact, ConfigError, Container, EndpointRole, Exports, ExposeContext, HostInfo, PlacedEndpoint, RenderContext,
    ServicePort, config,
};

/// Runs `expose` for `service` on a JSON config.
pub fn expose<P: Plugin>(service: &str, config: &Value) -> Result<Exports, Vec<ConfigError>> {
    let config: P::Config = config::parse(&config.to_string())?;
    P::expose(&config, &ExposeContext { service: service.to_owned() })
}

/// Runs `check`, then `render` if the config passed, on a JSON config.
pub fn render<P: Plugin>(config: &Value, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
    let config: P::Config = config::parse(&config.to_string())?;
    check_and_render::<P>(&config, context)
}

/// A render context for `service` on the given `(name, address)` hosts.
pub fn context(service: &str, hosts: &[(&str, &str)]) -> RenderContext {
    RenderContext {
        stack: "test".to_owned(),
        service: service.to_owned(),
        hosts: hosts
            .iter()
            .map(|(name, address)| HostInfo {
                name: (*name).to_owned(),
                address: (*address).to_owned(),
                groups: Vec::new(),
            })
            .collect(),
        stack_endpoints: Vec::new(),
        compose_project: None,
    }
}

/// The context of `service` placed in the Compose project `project`.
pub fn compose_context(service: &str, project: &str) -> RenderContext {
    RenderContext { compose_project: Some(project.to_owned()), ..context(service, &[]) }
}

/// An endpoint as the host would place it.
pub fn endpoint(service: &str, host: &str, address: &str, name: &str, port: u16, role: EndpointRole) -> PlacedEndpoint {
    PlacedEndpoint {
        service: service.to_owned(),
        host: host.to_owned(),
        address: address.to_owned(),
        name: name.to_owned(),
        port,
        protocol: "http".to_owned(),
        path: "/".to_owned(),
        role,
        in_cluster: None,
    }
}

/// An endpoint of a service in the cluster as the host would place it: behind port
/// `port.port_name` of the Kubernetes Service `port.service`.
pub fn cluster_endpoint(
    service: &str,
    name: &str,
    number: u16,
    role: EndpointRole,
    port: ServicePort,
) -> PlacedEndpoint {
    let address = format!("{}.{}.svc.cluster.local", port.service, port.namespace);
    PlacedEndpoint { in_cluster: Some(port.clone()), ..endpoint(service, &port.service, &address, name, number, role) }
}

/// The JSON of a resolved `(ref)"service.export"`.
pub fn reference(target: &str, endpoints: &[PlacedEndpoint]) -> Value {
    let (service, export) = target.split_once('.').unwrap_or((target, ""));
    json!({"$ref": target, "service": service, "export": export, "endpoints": endpoints})
}

/// The JSON of a `(secret)"name"`.
pub fn secret(name: &str) -> Value {
    json!({ "$secret": name })
}

/// The text of the host file at `path` as installed on `host`.
///
/// # Panics
/// If there is no such file or it is not UTF-8.
pub fn host_file<'a>(artifacts: &'a [Artifact], host: &str, path: &str) -> &'a str {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::HostFile(f) if f.path == path && f.host.as_deref().is_none_or(|h| h == host) => {
                Some(std::str::from_utf8(&f.contents).expect("UTF-8"))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no host file `{path}`"))
}

/// The container named `name` among `artifacts`; panics when there is none.
pub fn container<'a>(artifacts: &'a [Artifact], name: &str) -> &'a Container {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::Container(c) if c.name == name => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no container `{name}`"))
}

/// The text of the file a container mounts at `path`; panics when there is none.
pub fn container_file<'a>(container: &'a Container, path: &str) -> &'a str {
    let file = container.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no file `{path}`"));
    std::str::from_utf8(&file.contents).expect("UTF-8")
}
