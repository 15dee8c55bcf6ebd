//! `ansible/group_vars/all/vault.yml.example`: the Vault variables the playbooks read, with
//! empty values. The plan decides whether the bundle ships it and with which target.

use stackc_bundle::File;

use crate::plan::{Plan, VaultExample};
use crate::yaml::{self, Map, Scalar, Yaml};

const PATH: &str = "ansible/group_vars/all/vault.yml.example";

pub(crate) fn emit(plan: &Plan<'_>) -> Option<File> {
    let example = plan.vault_example.as_ref()?;
    let text = format!(
        "# The Ansible Vault variables this stack's secrets come from. No values are shipped:\n\
         # copy this file to vault.yml beside it, fill it in, then encrypt it with\n\
         #   ansible-vault encrypt group_vars/all/vault.yml\n---\n{}",
        yaml::write(&value(example))
    );
    Some(File { path: PATH.to_owned(), mode: 0o644, contents: text.into_bytes(), producer: example.target.producer() })
}

/// Every variable with an empty value.
fn value(example: &VaultExample<'_>) -> Yaml {
    let mut map = Map::new();
    for variable in &example.variables {
        map.insert_scalar(Scalar::plain(*variable), Scalar::quoted(""));
    }
    map.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn the_example_reads_back_as_its_value() {
        crate::tests::everything().with_plan(|plan| {
            let example = plan.vault_example.as_ref().expect("vault secrets");
            let file = emit(plan).expect("an example");
            assert_reads_back(std::str::from_utf8(&file.contents).expect("utf-8"), &value(example));
        });
    }
}
