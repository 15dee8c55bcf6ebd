//! `containers.yml`: when hosts of the stack are labelled `container="<image>"`, a play for
//! the control node that creates them as Docker containers (`community.docker`) on a network
//! of the stack, each with its address from the stack, before `site.yml` runs.
//!
//! ```kdl
//! host "web1" address="10.30.0.11" {
//!     labels container="debian:bookworm" container-subnet="10.30.0.0/24"
//! }
//! ```
//!
//! The inventory reaches such hosts through Docker (`ansible_connection=community.docker.docker`),
//! so `site.yml` needs no SSH server in them. The image must run an init system if services
//! are to be started in it (Debian's own `debian:bookworm` image does not: use one with
//! systemd as PID 1).

use std::collections::BTreeSet;

use stackc_model::Stack;

use super::playbook::{self, Play, Task};
use crate::labels;
use crate::yaml::{Map, Scalar, Seq, Yaml};

/// The play, or `None` when no host is a container.
pub(crate) fn play(stack: &Stack) -> Option<Play> {
    let hosts: Vec<_> = stack.hosts.iter().filter(|h| h.labels.contains_key(labels::CONTAINER_IMAGE)).collect();
    if hosts.is_empty() {
        return None;
    }
    let network = format!("stackc-{}", stack.name.value);
    // A host without a subnet was reported by the plan.
    let subnets: BTreeSet<&str> =
        hosts.iter().filter_map(|h| h.labels.get(labels::CONTAINER_SUBNET)).map(String::as_str).collect();
    let ipam = subnets.iter().map(|subnet| Map::new().with("subnet", Scalar::quoted(*subnet)).into()).collect();
    let mut tasks = vec![Task::new(
        Scalar::plain("Create the network"),
        "community.docker.docker_network",
        Map::new()
            .with("name", Scalar::quoted(&network))
            .with("ipam_config", Seq::new(ipam))
            .with("state", Scalar::plain("present")),
    )];
    for host in hosts {
        let name = &host.name.value;
        let attachment =
            Map::new().with("name", Scalar::quoted(&network)).with("ipv4_address", Scalar::quoted(&host.address.value));
        let args = Map::new()
            .with("name", Scalar::quoted(name))
            .with("hostname", Scalar::quoted(name))
            .with("image", Scalar::quoted(&host.labels[labels::CONTAINER_IMAGE]))
            .with("state", Scalar::plain("started"))
            .with("restart_policy", Scalar::plain("unless-stopped"))
            .with("networks", Seq::new(vec![Yaml::from(attachment)]))
            .with("networks_cli_compatible", true);
        tasks.push(Task::new(
            Scalar::quoted(format!("Create container {name}")),
            "community.docker.docker_container",
            args,
        ));
    }
    Some(Play::local(format!("Create the containers of {}", stack.name.value), tasks))
}

pub(crate) fn text(stack: &Stack, play: Play) -> String {
    let header = format!(
        "---\n# Creates the containers of stack `{}` on the control node's Docker, each with its\n\
         # address from the stack. Written by stackc; run it before site.yml:\n\
         #   ansible-playbook -i inventory.ini containers.yml\n",
        stack.name.value
    );
    playbook::text(&header, 1, |_| play.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn containers_yml_reads_back_as_its_play() {
        let stack = crate::tests::everything().stack;
        let yaml = playbook::to_yaml(&[play(&stack).expect("container hosts")]);
        assert_reads_back(&text(&stack, play(&stack).expect("container hosts")), &yaml);
    }
}
