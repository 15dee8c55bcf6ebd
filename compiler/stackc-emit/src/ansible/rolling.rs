//! Rolling delivery: the deploy play of a service that other services gate (a load
//! balancer's servers) updates one host at a time. For each host, in this order and visible
//! as tasks of their own: every gate drains it on every host of the gating service, the
//! service's own tasks update it, its handlers run, its HTTP checks on that host must pass,
//! and every gate puts it back (waiting until it receives requests again).
//!
//! A gate's commands run only where its program is installed: on the first deployment the
//! gating service comes later in `site.yml` (it references this one) and has nothing to
//! drain yet.

use stackc_model::Stack;
use stackc_plugin_host::{HttpCheck, TrafficGate};

use super::playbook::{Play, Retry, Task};
use crate::plan::ServicePlan;
use crate::yaml::{Map, Scalar, Yaml};

/// A gate, with the service that declared it (its hosts run the gate's commands).
pub(crate) type Gate<'a, 'p> = (&'p TrafficGate, &'a ServicePlan<'p>);

/// How long an updated host may take to pass its HTTP checks, in one-second tries.
const HEALTH_TRIES: u32 = 60;

/// Makes `play`, the deploy play of `s`, roll over its hosts one at a time through `gates`.
pub(crate) fn roll(play: &mut Play, stack: &Stack, s: &ServicePlan<'_>, gates: &[Gate<'_, '_>]) {
    play.serial = Some(1);
    let update = std::mem::take(&mut play.tasks);
    play.tasks = gate_tasks(gates, Step::Drain);
    play.tasks.extend(update);
    play.tasks.push(Task::meta(Scalar::plain("Restart what changed"), "flush_handlers"));
    play.tasks.extend(health_task(stack, s));
    play.tasks.extend(gate_tasks(gates, Step::Enable));
}

#[derive(Clone, Copy)]
enum Step {
    Drain,
    Enable,
}

/// One task per gating service: its gates' commands for the host being updated, run on each
/// of its hosts.
fn gate_tasks(gates: &[Gate<'_, '_>], step: Step) -> Vec<Task> {
    let mut by_service: Vec<(&str, Vec<Yaml>)> = Vec::new();
    for (gate, gating) in gates {
        let argv = match step {
            Step::Drain => &gate.drain,
            Step::Enable => &gate.enable,
        };
        let name = gating.service.name.value.as_str();
        let items = match by_service.iter_mut().find(|(n, _)| *n == name) {
            Some((_, items)) => items,
            None => {
                by_service.push((name, Vec::new()));
                &mut by_service.last_mut().expect("just pushed").1
            }
        };
        for on in &gating.hosts {
            let item = Map::new()
                .with("host", Scalar::quoted(&gate.host))
                .with("on", Scalar::quoted(*on))
                .with("argv", Yaml::quoted_list(argv.iter().map(String::as_str)));
            items.push(item.into());
        }
    }
    by_service
        .into_iter()
        .map(|(name, items)| {
            let title = match step {
                // ansible-lint wants a template at the end of a name only.
                Step::Drain => format!("Drain from {name}: {{{{ inventory_hostname }}}}"),
                Step::Enable => format!("Put back into {name}: {{{{ inventory_hostname }}}}"),
            };
            let args = Map::new()
                .with("argv", Scalar::quoted("{{ item.argv }}"))
                .with("removes", Scalar::quoted("{{ item.argv[0] }}"));
            let mut task = Task::new(Scalar::quoted(title), "ansible.builtin.command", args).looping(items);
            task.when = Some("item.host == inventory_hostname");
            task.delegate_to = Some("{{ item.on }}");
            // Draining and putting back leave the gate as it was.
            task.changed_when(false)
        })
        .collect()
}

/// The service's HTTP checks of the host being updated, retried until they pass.
fn health_task(stack: &Stack, s: &ServicePlan<'_>) -> Option<Task> {
    let items: Vec<Yaml> = s
        .hosts
        .iter()
        .filter_map(|&host| Some((host, stack.host(host)?.address.value.as_str())))
        .flat_map(|(host, address)| {
            s.http_checks.iter().filter(move |c| url_host(&c.url) == Some(address)).map(move |c| check_item(host, c))
        })
        .collect();
    if items.is_empty() {
        return None;
    }
    let args = Map::new()
        .with("url", Scalar::quoted("{{ item.url }}"))
        .with("status_code", Scalar::quoted("{{ item.status }}"))
        .with("validate_certs", Scalar::quoted("{{ item.validate_certs }}"));
    let title = format!("Wait until {} answers on {{{{ inventory_hostname }}}}", s.service.name.value);
    let mut task = Task::new(Scalar::quoted(title), "ansible.builtin.uri", args).looping(items);
    task.when = Some("item.host == inventory_hostname");
    task.retry = Some(Retry { register: "health", times: HEALTH_TRIES });
    Some(task)
}

fn check_item(host: &str, check: &HttpCheck) -> Yaml {
    Map::new()
        .with("host", Scalar::quoted(host))
        .with("url", Scalar::quoted(&check.url))
        .with("status", i64::from(check.status))
        .with("validate_certs", !check.insecure)
        .into()
}

/// The host of an `http://` or `https://` URL, without brackets for IPv6.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map(|(host, _)| host);
    }
    Some(authority.rsplit_once(':').map_or(authority, |(host, _)| host))
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(url_host("http://10.0.0.1:8080/health"), Some("10.0.0.1"));
        assert_eq!(url_host("https://web.example/"), Some("web.example"));
        assert_eq!(url_host("http://[fd00::1]:80/x"), Some("fd00::1"));
        assert_eq!(url_host("http://u@10.0.0.2"), Some("10.0.0.2"));
        assert_eq!(url_host("10.0.0.1:80"), None);
    }
}
