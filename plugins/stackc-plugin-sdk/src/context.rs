//! What `render` knows besides the config.

use crate::{HostInfo, PlacedEndpoint};

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
