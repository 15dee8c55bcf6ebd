//! `ansible/containers.yml`: when hosts of the stack are labelled `container="<image>"`, a
//! play for the control node that creates them as Docker containers (`community.docker`) on
//! a network of the stack, each with its address from the stack, before `site.yml` runs.
//!
//! ```kdl
//! host "web1" address="10.30.0.11" {
//!     labels container="debian:bookworm" container-subnet="10.30.0.0/24"
//! }
//! ```
//!
//! The inventory reaches such hosts through Docker (`ansible_connection=community.docker.docker`),
//! so `site.yml` needs no SSH server in them. The image must run an init system if services are to be started in it (Debian's own
//! `debian:bookworm` image does not: use one with systemd as PID 1).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stackc_diag::Diagnostic;
use stackc_model::Stack;

use crate::yaml::quote;

pub(crate) const IMAGE_LABEL: &str = "container";
pub(crate) const SUBNET_LABEL: &str = "container-subnet";

/// The playbook, or `None` when no host is a container.
pub(crate) fn playbook(stack: &Stack, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let hosts: Vec<_> = stack.hosts.iter().filter(|h| h.labels.contains_key(IMAGE_LABEL)).collect();
    if hosts.is_empty() {
        return None;
    }
    let network = format!("stackc-{}", stack.name.value);
    let mut subnets = BTreeSet::new();
    for host in &hosts {
        match host.labels.get(SUBNET_LABEL) {
            Some(subnet) => {
                subnets.insert(subnet.as_str());
            }
            None => diagnostics.push(
                Diagnostic::error(
                    "stackc::emit::container",
                    format!("container host `{}` has no `{SUBNET_LABEL}` label", host.name.value),
                )
                .at(host.name.span, "this host is a container")
                .with_help(format!(
                    "add `{SUBNET_LABEL}=\"…/24\"` to its labels: the network the container gets its address on"
                )),
            ),
        }
    }
    let mut out = format!(
        "---\n# Creates the containers of stack `{}` on the control node's Docker, each with its\n\
         # address from the stack. Written by stackc; run it before site.yml:\n\
         #   ansible-playbook -i inventory.ini containers.yml\n\
         - name: {}\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n",
        stack.name.value,
        quote(&format!("Create the containers of {}", stack.name.value))
    );
    write!(
        out,
        "    - name: Create the network\n      community.docker.docker_network:\n        name: {}\n        ipam_config:\n",
        quote(&network)
    )
    .expect("write to string");
    for subnet in &subnets {
        writeln!(out, "          - subnet: {}", quote(subnet)).expect("write to string");
    }
    out.push_str("        state: present\n\n");
    for host in &hosts {
        let image = &host.labels[IMAGE_LABEL];
        write!(
            out,
            "    - name: {}\n      community.docker.docker_container:\n        name: {}\n        hostname: {}\n        image: {}\n        state: started\n        restart_policy: unless-stopped\n        networks:\n          - name: {}\n            ipv4_address: {}\n        networks_cli_compatible: true\n\n",
            quote(&format!("Create container {}", host.name.value)),
            quote(&host.name.value),
            quote(&host.name.value),
            quote(image),
            quote(&network),
            quote(&host.address.value)
        )
        .expect("write to string");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    Some(out)
}
