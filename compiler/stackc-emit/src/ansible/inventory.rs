//! `inventory.ini`: every host with how Ansible reaches it, the stack's groups, and one group
//! per service placed on hosts (`service_<name>`), which its plays target.

use crate::labels;
use crate::plan::Plan;

/// An INI section: `[name]` and its lines.
struct Section {
    name: String,
    lines: Vec<String>,
}

pub(crate) fn text(plan: &Plan<'_>) -> String {
    let stack = plan.stack;
    let hosts = stack
        .hosts
        .iter()
        .map(|host| {
            if host.labels.contains_key(labels::CONTAINER_IMAGE) {
                // Created by containers.yml under the host's name; reached through Docker.
                format!("{0} ansible_host={0} ansible_connection=community.docker.docker", host.name.value)
            } else {
                format!("{} ansible_host={}", host.name.value, host.address.value)
            }
        })
        .collect();
    let mut sections = vec![Section { name: "all".to_owned(), lines: hosts }];
    for (group, members) in stack.groups() {
        let lines = members.iter().map(|h| h.name.value.clone()).collect();
        sections.push(Section { name: group_name("", group), lines });
    }
    for service in plan.services.iter().filter(|s| !s.hosts.is_empty()) {
        let lines = service.hosts.iter().map(|h| (*h).to_owned()).collect();
        sections.push(Section { name: group_name("service_", &service.service.name.value), lines });
    }
    let mut out = format!("# Inventory of stack `{}`, written by stackc.\n", stack.name.value);
    for section in sections {
        out.push_str(&format!("\n[{}]\n", section.name));
        for line in section.lines {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// An Ansible group name, which must be an identifier: `prefix` and `name` with every other
/// character replaced by `_`.
pub(crate) fn group_name(prefix: &str, name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}{clean}")
}
