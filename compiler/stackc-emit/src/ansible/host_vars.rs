//! `host_vars/<host>.yml`: a host's labels as its inventory variables, which Ansible reads
//! beside `inventory.ini`. A label's name becomes a variable name with `-` written as `_`
//! (`container-subnet` → `container_subnet`); the plan refuses a name that cannot become one.

use stackc_model::Host;

use crate::labels;
use crate::yaml::{self, Map, Scalar, Yaml};

/// The file of `host`, if it has labels: path under `ansible/`, and text.
pub(crate) fn file(host: &Host) -> Option<(String, String)> {
    if host.labels.is_empty() {
        return None;
    }
    let text =
        format!("---\n# The labels of host `{}`, written by stackc.\n{}", host.name.value, yaml::write(&value(host)));
    Some((format!("host_vars/{}.yml", host.name.value), text))
}

/// Every label as a string variable.
fn value(host: &Host) -> Yaml {
    let mut map = Map::new();
    for (label, text) in &host.labels {
        map.insert_scalar(Scalar::plain(labels::variable(label)), Scalar::quoted(text));
    }
    map.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn labels_read_back_as_variables() {
        crate::tests::everything().with_plan(|plan| {
            let host = plan.stack.host("box1").expect("box1");
            let (path, text) = file(host).expect("box1 has labels");
            assert_eq!(path, "host_vars/box1.yml");
            assert!(text.contains("container_subnet: \"10.0.0.0/24\"\n"), "{text}");
            let body = text.split_once("stackc.\n").expect("the header").1;
            assert_reads_back(body, &value(host));
            assert!(file(plan.stack.host("web2").expect("web2")).is_none(), "web2 has no labels");
        });
    }
}
