//! The example Ansible Vault layout the bundle ships: variable names, never values.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stackc_model::{SecretSource, Stack};

/// Where the example goes, beside the playbooks that read `group_vars/all/vault.yml`.
pub(crate) const EXAMPLE_PATH: &str = "ansible/group_vars/all/vault.yml.example";

/// The Vault variables of the stack's secrets, with empty values; empty when there are none.
pub(crate) fn example(stack: &Stack) -> String {
    let variables: BTreeSet<&str> = stack
        .secrets
        .iter()
        .filter_map(|s| match &s.source {
            SecretSource::Vault { variable } => Some(variable.as_str()),
            _ => None,
        })
        .collect();
    if variables.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "# The Ansible Vault variables this stack's secrets come from. No values are shipped:\n\
         # copy this file to vault.yml beside it, fill it in, then encrypt it with\n\
         #   ansible-vault encrypt group_vars/all/vault.yml\n---\n",
    );
    for variable in variables {
        writeln!(out, "{variable}: \"\"").expect("write to string");
    }
    out
}
