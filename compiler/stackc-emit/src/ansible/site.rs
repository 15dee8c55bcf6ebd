//! `site.yml`: one play per service that deploys to hosts, in deploy order, then the
//! verification plays: HTTP checks from the control node, as a client of the service would
//! make them, and command checks on the service's own hosts. A service with both gets a play
//! for each.

use std::collections::{BTreeMap, BTreeSet};

use super::inventory::group_name;
use super::playbook::{self, Play, Task};
use super::rolling::{self, Gate};
use crate::host_work::{Handler, Restart, Start};
use crate::plan::{Owner, Plan, ServicePlan};
use crate::yaml::{Map, Scalar, Seq, Yaml};

/// The plays of `site.yml`, each made when it is written: deploy plays, then HTTP and then
/// command verification plays.
pub(crate) struct Plays<'a, 'p> {
    plan: &'a Plan<'p>,
    /// The services that deploy to hosts.
    deployed: &'a [&'a ServicePlan<'p>],
    http: Vec<&'a ServicePlan<'p>>,
    command: Vec<&'a ServicePlan<'p>>,
    /// By the service whose hosts they drain (see `rolling.rs`).
    gates: BTreeMap<&'p str, Vec<Gate<'a, 'p>>>,
}

impl<'a, 'p> Plays<'a, 'p> {
    pub(crate) fn new(plan: &'a Plan<'p>, deployed: &'a [&'a ServicePlan<'p>]) -> Self {
        let http = deployed.iter().copied().filter(|s| !s.http_checks.is_empty()).collect();
        let command = deployed.iter().copied().filter(|s| !s.command_checks.is_empty()).collect();
        Plays { plan, deployed, http, command, gates: plan.gates() }
    }

    pub(crate) fn len(&self) -> usize {
        self.deployed.len() + self.http.len() + self.command.len()
    }

    /// Play `index`, named `Step <index + 1>/<len>: …`.
    pub(crate) fn get(&self, index: usize) -> Play {
        let step = format!("Step {}/{}", index + 1, self.len());
        let (http_from, command_from) = (self.deployed.len(), self.deployed.len() + self.http.len());
        let (s, play) = if index < http_from {
            let s = self.deployed[index];
            let mut play = deploy_play(&step, s);
            if let Some(gates) = self.gates.get(s.service.name.value.as_str()) {
                rolling::roll(&mut play, self.plan.stack, s, gates);
            }
            (s, play)
        } else if index < command_from {
            let s = self.http[index - http_from];
            (s, http_verify_play(&step, s))
        } else {
            let s = self.command[index - command_from];
            (s, command_verify_play(&step, s))
        };
        play.tagged(service_tags(&s.service.name.value))
    }
}

/// Every play of a service is tagged with the service's name, so that `--tags proxy` deploys
/// and verifies one service and `--skip-tags grafana` all but one. Ansible gives five tags a
/// meaning of their own (`always` would run the play whatever is asked): a service named so
/// has no tag.
fn service_tags(service: &str) -> Vec<String> {
    const SPECIAL: [&str; 5] = ["all", "always", "never", "tagged", "untagged"];
    if SPECIAL.contains(&service) { Vec::new() } else { vec![service.to_owned()] }
}

pub(crate) fn text(plan: &Plan<'_>, plays: &Plays<'_, '_>) -> String {
    let header = format!(
        "---\n# Deploys stack `{}`, one play per step, then verifies it.\n\
         # Written by stackc; regenerate it rather than edit it.\n\
         #   ansible-playbook -i inventory.ini site.yml --ask-vault-pass\n\n",
        plan.stack.name.value
    );
    playbook::text(&header, plays.len(), |i| plays.get(i))
}

/// Installs packages, creates accounts and directories, copies the service's files from
/// `hosts/<host>/`, fills secret files, starts what runs, and restarts it through handlers
/// when files change.
fn deploy_play(step: &str, s: &ServicePlan<'_>) -> Play {
    let name = &s.service.name.value;
    let notified = |on: fn(&Handler) -> bool| -> Vec<String> {
        s.handlers.iter().filter(|h| on(h)).map(|h| h.name.clone()).collect()
    };
    let notify = notified(Handler::on_files);
    let mut tasks = apt_repositories(s);
    tasks.extend(packages(s, &notified(Handler::on_install)));
    tasks.extend(accounts(s));
    tasks.extend(logins(s));
    tasks.extend(directories(s));
    tasks.extend(files(s, &notify));
    tasks.extend(secret_files(s, &notify));
    tasks.extend(s.starts.iter().map(start_task));
    Play {
        name: format!("{step}: {name} ({})", s.service.plugin.value),
        hosts: group_name("service_", name),
        connection: None,
        become_root: true,
        serial: None,
        tags: Vec::new(),
        tasks,
        handlers: s.handlers.iter().map(handler_task).collect(),
    }
}

/// The service's packages; installing them notifies `notify`, the handlers that take a packaged
/// service from the package's default configuration to the service's own.
fn packages(s: &ServicePlan<'_>, notify: &[String]) -> Option<Task> {
    if s.packages.is_empty() {
        return None;
    }
    let mut args = Map::new()
        .with("name", Yaml::quoted_list(s.packages.iter().copied()))
        .with("state", Scalar::plain("present"))
        .with("update_cache", true);
    // Right after a repository was added the cache must be refreshed, however recent.
    if s.repositories.is_empty() {
        args.insert("cache_valid_time", 3600_i64);
    }
    let mut task = Task::new(Scalar::plain("Install packages"), "ansible.builtin.apt", args);
    task.notify = notify.to_vec();
    Some(task)
}

/// System accounts, then the directories that belong to them.
fn accounts(s: &ServicePlan<'_>) -> Vec<Task> {
    let accounts = s.accounts.iter().map(|account| {
        let args = Map::new()
            .with("name", Scalar::quoted(*account))
            .with("system", true)
            .with("create_home", false)
            .with("home", Scalar::plain("/nonexistent"))
            .with("shell", Scalar::plain("/usr/sbin/nologin"));
        Task::new(Scalar::quoted(format!("Create system user {account}")), "ansible.builtin.user", args)
    });
    let owned = s.directories.iter().map(|dir| {
        let args = Map::new()
            .with("path", Scalar::quoted(&dir.path))
            .with("state", Scalar::plain("directory"))
            .with("owner", Scalar::quoted(&dir.owner))
            .with("mode", Scalar::quoted("0755"));
        let title = format!("Create {} for {}", dir.path, dir.process);
        Task::new(Scalar::quoted(title), "ansible.builtin.file", args)
    });
    accounts.chain(owned).collect()
}

/// The parent directories of the service's files and secret files, owned by root.
fn directories(s: &ServicePlan<'_>) -> Option<Task> {
    let dirs: BTreeSet<&str> = s
        .files
        .keys()
        .copied()
        .chain(s.secret_files.iter().map(|f| f.path))
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .filter(|d| !d.is_empty())
        .collect();
    if dirs.is_empty() {
        return None;
    }
    let args =
        root_owned(Map::new().with("path", Scalar::quoted("{{ item }}")).with("state", Scalar::plain("directory")))
            .with("mode", Scalar::quoted("0755"));
    let items = dirs.iter().map(|d| Yaml::quoted(*d)).collect();
    Some(Task::new(Scalar::plain("Create directories"), "ansible.builtin.file", args).looping(items))
}

/// The service's files, copied from each host's tree in the bundle.
fn files(s: &ServicePlan<'_>, notify: &[String]) -> Option<Task> {
    if s.files.is_empty() {
        return None;
    }
    let owned = s.files.values().any(|f| f.owner != Owner::ROOT);
    let args = owned_as(
        Map::new()
            .with("src", Scalar::quoted("{{ playbook_dir }}/../hosts/{{ inventory_hostname }}{{ item.path }}"))
            .with("dest", Scalar::quoted("{{ item.path }}")),
        owned,
    )
    .with("mode", Scalar::quoted("{{ item.mode }}"));
    // A file on only some of the service's hosts lists them.
    let on_some = |hosts: &Vec<&str>| hosts.len() != s.hosts.len();
    let items = s
        .files
        .iter()
        .map(|(path, file)| {
            let mut item = Map::new()
                .with("path", Scalar::quoted(*path))
                .with("mode", Scalar::quoted(format!("{:04o}", file.mode)));
            if owned {
                item = with_owner(item, file.owner);
            }
            if on_some(&file.hosts) {
                item.insert("hosts", Yaml::quoted_list(file.hosts.iter().copied()));
            }
            item.into()
        })
        .collect();
    let mut task = Task::new(Scalar::plain("Install files"), "ansible.builtin.copy", args).looping(items);
    if s.files.values().any(|f| on_some(&f.hosts)) {
        task.when = Some("item.hosts is not defined or inventory_hostname in item.hosts");
    }
    task.notify = notify.to_vec();
    Some(task)
}

/// Files filled from secrets on the host, kept out of Ansible's output.
fn secret_files(s: &ServicePlan<'_>, notify: &[String]) -> Option<Task> {
    if s.secret_files.is_empty() {
        return None;
    }
    let owned = s.secret_files.iter().any(|f| f.owner != Owner::ROOT);
    let args = owned_as(
        Map::new()
            .with("content", Scalar::quoted("{{ item.content }}"))
            .with("dest", Scalar::quoted("{{ item.path }}")),
        owned,
    )
    .with("mode", Scalar::quoted("{{ item.mode }}"));
    let items = s
        .secret_files
        .iter()
        .map(|f| {
            let item =
                Map::new().with("path", Scalar::quoted(f.path)).with("mode", Scalar::quoted(format!("{:04o}", f.mode)));
            let item = if owned { with_owner(item, f.owner) } else { item };
            item.with("content", Scalar::quoted(playbook::secret_value(f.secret))).into()
        })
        .collect();
    let mut task = Task::new(Scalar::plain("Install secret files"), "ansible.builtin.copy", args).looping(items);
    task.no_log = true;
    task.notify = notify.to_vec();
    Some(task)
}

/// `owner: root` and `group: root` after `args`.
fn root_owned(args: Map) -> Map {
    owned_as(args, false)
}

/// The owner and group after `args`: root's, or each item's when `per_item`.
fn owned_as(args: Map, per_item: bool) -> Map {
    if per_item {
        args.with("owner", Scalar::quoted("{{ item.owner }}")).with("group", Scalar::quoted("{{ item.group }}"))
    } else {
        args.with("owner", Scalar::plain("root")).with("group", Scalar::plain("root"))
    }
}

fn with_owner(item: Map, owner: Owner<'_>) -> Map {
    item.with("owner", Scalar::quoted(owner.user)).with("group", Scalar::quoted(owner.group))
}

/// People's login accounts: their groups, the account (no password: keys only) and its
/// authorized keys, which replace whatever keys the account had.
fn logins(s: &ServicePlan<'_>) -> Vec<Task> {
    if s.logins.is_empty() {
        return Vec::new();
    }
    let groups: BTreeSet<&str> = s.logins.iter().flat_map(|a| a.groups.iter().map(String::as_str)).collect();
    let mut tasks = Vec::new();
    if !groups.is_empty() {
        let args = Map::new().with("name", Scalar::quoted("{{ item }}")).with("state", Scalar::plain("present"));
        let items = groups.iter().map(|g| Yaml::quoted(*g)).collect();
        tasks.push(Task::new(Scalar::plain("Create groups"), "ansible.builtin.group", args).looping(items));
    }
    for account in &s.logins {
        let name = account.name.as_str();
        let home = format!("/home/{name}");
        let user = Map::new()
            .with("name", Scalar::quoted(name))
            .with("groups", Yaml::quoted_list(account.groups.iter().map(String::as_str)))
            .with("append", false)
            .with("shell", Scalar::quoted(&account.shell))
            .with("home", Scalar::quoted(&home))
            .with("create_home", true)
            // `!`: no password can log in; SSH keys still can.
            .with("password", Scalar::quoted("!"))
            .with("update_password", Scalar::plain("on_create"));
        tasks.push(Task::new(Scalar::quoted(format!("Create login account {name}")), "ansible.builtin.user", user));
        let dir = Map::new()
            .with("path", Scalar::quoted(format!("{home}/.ssh")))
            .with("state", Scalar::plain("directory"))
            .with("owner", Scalar::quoted(name))
            .with("group", Scalar::quoted(name))
            .with("mode", Scalar::quoted("0700"));
        tasks.push(Task::new(Scalar::quoted(format!("Create {home}/.ssh")), "ansible.builtin.file", dir));
        let keys: String = account.authorized_keys.iter().map(|k| format!("{}\n", k.trim())).collect();
        let keys = Map::new()
            .with("content", Scalar::quoted(keys))
            .with("dest", Scalar::quoted(format!("{home}/.ssh/authorized_keys")))
            .with("owner", Scalar::quoted(name))
            .with("group", Scalar::quoted(name))
            .with("mode", Scalar::quoted("0600"));
        tasks.push(Task::new(Scalar::quoted(format!("Install the SSH keys of {name}")), "ansible.builtin.copy", keys));
    }
    tasks
}

/// APT repositories (deb822 `.sources` files) before the packages that come from them.
fn apt_repositories(s: &ServicePlan<'_>) -> Vec<Task> {
    if s.repositories.is_empty() {
        return Vec::new();
    }
    let python = Map::new()
        .with("name", Scalar::plain("python3-debian"))
        .with("state", Scalar::plain("present"))
        .with("update_cache", true)
        .with("cache_valid_time", 3600_i64);
    let mut args = Map::new().with("name", Scalar::quoted("{{ item.name }}")).with("types", Scalar::plain("deb"));
    for field in ["uris", "suites", "components", "signed_by"] {
        args.insert(field, Scalar::quoted(format!("{{{{ item.{field} }}}}")));
    }
    args.insert("state", Scalar::plain("present"));
    let items = s
        .repositories
        .iter()
        .map(|r| {
            Map::new()
                .with("name", Scalar::quoted(&r.name))
                .with("uris", Scalar::quoted(&r.uris))
                .with("suites", Scalar::quoted(&r.suites))
                .with("components", Scalar::quoted(&r.components))
                .with("signed_by", Scalar::quoted(&r.signed_by))
                .into()
        })
        .collect();
    vec![
        Task::new(Scalar::plain("Install python3-debian for deb822 repositories"), "ansible.builtin.apt", python),
        Task::new(Scalar::plain("Add APT repositories"), "ansible.builtin.deb822_repository", args).looping(items),
    ]
}

fn start_task(start: &Start) -> Task {
    match start {
        Start::Unit { label, unit, daemon_reload } => {
            let mut args = Map::new()
                .with("name", Scalar::quoted(unit))
                .with("enabled", true)
                .with("state", Scalar::plain("started"));
            if *daemon_reload {
                args.insert("daemon_reload", true);
            }
            Task::new(Scalar::quoted(format!("Enable and start {label}")), "ansible.builtin.systemd_service", args)
        }
        Start::Supervisor { name, unit } => {
            let args = Map::new()
                .with("name", Scalar::plain(unit))
                .with("enabled", true)
                .with("state", Scalar::plain("started"));
            Task::new(Scalar::plain(format!("Enable and start {name}")), "ansible.builtin.systemd_service", args)
        }
        Start::Supervised { process, supervisor, ready_files } => {
            let args = Map::new().with("path", Scalar::quoted("{{ supervise_ok }}")).with("timeout", 30_i64);
            let title = format!("Wait for {supervisor} to supervise {process}");
            let mut task = Task::new(Scalar::quoted(title), "ansible.builtin.wait_for", args)
                .looping(ready_files.iter().map(Yaml::quoted).collect());
            task.loop_var = Some("supervise_ok");
            task
        }
    }
}

fn handler_task(handler: &Handler) -> Task {
    let name = Scalar::quoted(&handler.name);
    match &handler.action {
        Restart::Unit { unit, reload, daemon_reload } => {
            let state = if *reload { "reloaded" } else { "restarted" };
            let mut args = Map::new().with("name", Scalar::quoted(unit)).with("state", Scalar::plain(state));
            if *daemon_reload {
                args.insert("daemon_reload", true);
            }
            Task::new(name, "ansible.builtin.systemd_service", args)
        }
        Restart::Command { program, args } => {
            let mut argv = vec![Yaml::plain(program)];
            argv.extend(args.iter().map(Yaml::quoted));
            Task::new(name, "ansible.builtin.command", Map::new().with("argv", Seq::new(argv))).changed_when(true)
        }
    }
}

/// The service's HTTP checks, made from the control node (`localhost`, which Ansible provides
/// without an inventory entry).
fn http_verify_play(step: &str, s: &ServicePlan<'_>) -> Play {
    let tasks = s
        .http_checks
        .iter()
        .map(|check| {
            let args = Map::new()
                .with("url", Scalar::quoted(&check.url))
                .with("status_code", check.status)
                .with("validate_certs", !check.insecure);
            Task::new(Scalar::quoted(capitalize(&check.name)), "ansible.builtin.uri", args)
        })
        .collect();
    Play::local(format!("{step}: verify {}", s.service.name.value), tasks)
}

/// The service's command checks, run on each of its hosts.
fn command_verify_play(step: &str, s: &ServicePlan<'_>) -> Play {
    let name = &s.service.name.value;
    let tasks = s
        .command_checks
        .iter()
        .map(|check| {
            let args = Map::new().with("argv", Yaml::quoted_list(check.command.iter().map(String::as_str)));
            Task::new(Scalar::quoted(capitalize(&check.name)), "ansible.builtin.command", args).changed_when(false)
        })
        .collect();
    let where_ = if s.http_checks.is_empty() { "" } else { " on its hosts" };
    Play {
        name: format!("{step}: verify {name}{where_}"),
        hosts: group_name("service_", name),
        connection: None,
        become_root: false,
        serial: None,
        tags: Vec::new(),
        tasks,
        handlers: Vec::new(),
    }
}

/// ansible-lint wants names to start with a capital letter.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn site_yml_reads_back_as_its_plays() {
        crate::tests::everything().with_plan(|plan| {
            let deployed: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| s.deploys_to_hosts()).collect();
            let plays = Plays::new(plan, &deployed);
            let each: Vec<Play> = (0..plays.len()).map(|i| plays.get(i)).collect();
            assert_eq!(each.len(), 5, "two deploy plays, two HTTP and one command verification");
            assert_reads_back(&text(plan, &plays), &playbook::to_yaml(&each));
        });
    }
}
