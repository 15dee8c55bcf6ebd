//! Host labels that stackc itself reads; every other label is the stack's own.

/// `container="<image>"`: the host is a Docker container of that image on the control node.
pub(crate) const CONTAINER_IMAGE: &str = "container";

/// `container-subnet="10.30.0.0/24"`: the network a container host gets its address on.
pub(crate) const CONTAINER_SUBNET: &str = "container-subnet";
