//! `ansible/`: an inventory and a playbook that apply the host trees.
//!
//! `site.yml` has one play per step, named `Step N/M: <service> (<plugin>)`, so that a run
//! shows which step failed. Each play installs packages, creates accounts and directories,
//! copies the service's files from `hosts/<host>/`, fills secret files from their source
//! (Ansible Vault variables, environment variables), starts what runs and restarts it through
//! handlers when files change. Verification plays at the end run each service's checks.
//! `containers.yml` creates hosts that are containers; `host_vars/` holds hosts' labels.

mod containers;
mod host_vars;
mod inventory;
pub(crate) mod playbook;
mod rolling;
mod site;

use stackc_bundle::File;

use crate::plan::{Plan, ServicePlan, Target};

const ANSIBLE_CFG: &str =
    "# Written by stackc.\n[defaults]\ninventory = inventory.ini\ninterpreter_python = auto_silent\n";

/// Nothing when no service deploys to hosts.
pub(crate) fn emit(plan: &Plan<'_>) -> Vec<File> {
    let deployed: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| s.deploys_to_hosts()).collect();
    if deployed.is_empty() {
        return Vec::new();
    }
    let file = |path: &str, contents: String| File {
        path: format!("ansible/{path}"),
        mode: 0o644,
        contents: contents.into_bytes(),
        producer: Target::Ansible.producer(),
    };
    let mut files = vec![
        file("ansible.cfg", ANSIBLE_CFG.to_owned()),
        file("inventory.ini", inventory::text(plan)),
        file("site.yml", site::text(plan, &site::Plays::new(plan, &deployed))),
    ];
    for (path, text) in plan.stack.hosts.iter().filter_map(host_vars::file) {
        files.push(file(&path, text));
    }
    if let Some(play) = containers::play(plan.stack) {
        files.push(file("containers.yml", containers::text(plan.stack, play)));
    }
    files
}
