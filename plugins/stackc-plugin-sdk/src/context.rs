//! What `expose` and `render` know besides the config.

use crate::{ConfigError, HostInfo, PlacedEndpoint};

/// Everything `expose` knows besides the config: which service it is, so that a service in
/// the cluster can name the Kubernetes Services its endpoints are behind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExposeContext {
    pub service: String,
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
    /// The Compose project the service runs in, when it is placed on one: render
    /// [`Container`](crate::Container)s then, not host or cluster artifacts.
    pub compose_project: Option<String>,
}

impl RenderContext {
    /// Whether the service runs in the cluster: neither on hosts nor in a Compose project.
    pub fn in_cluster(&self) -> bool {
        self.hosts.is_empty() && self.compose_project.is_none()
    }

    /// The error for a plugin that runs only in a Compose project when the service is
    /// placed elsewhere: "`what` runs in a Compose project", at the service.
    pub fn check_in_compose(&self, what: &str) -> Option<ConfigError> {
        self.compose_project.is_none().then(|| {
            ConfigError::service(format!("{what} runs in a Compose project"))
                .with_help("place it on the stack's Compose project: `on=\"<project>\"`")
        })
    }
}
