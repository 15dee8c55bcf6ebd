//! Host labels: the ones stackc itself reads (every other label is the stack's own), and the
//! inventory variable each becomes.

/// `container="<image>"`: the host is a Docker container of that image on the control node.
pub(crate) const CONTAINER_IMAGE: &str = "container";

/// `container-subnet="10.30.0.0/24"`: the network a container host gets its address on.
pub(crate) const CONTAINER_SUBNET: &str = "container-subnet";

/// The inventory variable a label named `label` becomes (`ansible/host_vars/`): `-` is not a
/// variable name's character, so it is written as `_`.
pub(crate) fn variable(label: &str) -> String {
    label.replace('-', "_")
}
