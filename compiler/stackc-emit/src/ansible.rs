//! `ansible/`: an inventory and a playbook that apply the host trees.
//!
//! The playbook has one play per step, named `Step N/M: <service> (<plugin>)`, so that a run
//! shows which step failed. Each play installs packages, creates directories, copies the
//! service's files from `hosts/<host>/`, fills secret files from their source (Ansible Vault
//! variables, environment variables), starts services and reloads them through handlers when
//! files change. Verification plays at the end run each service's checks: HTTP checks from
//! the control node, command checks on the service's hosts.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stackc_bundle::{File, Producer};
use stackc_diag::Diagnostic;
use stackc_model::SecretSource;
use stackc_plugin_host::{Process, Supervisor};

use crate::daemontools;
use crate::plan::{Plan, ServicePlan};
use crate::yaml::{group_name, quote};

const TARGET: &str = "ansible";

pub(crate) fn emit(plan: &Plan<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<File> {
    let deployable: Vec<&ServicePlan<'_>> = plan.services.iter().filter(|s| has_host_work(s)).collect();
    if deployable.is_empty() {
        return Vec::new();
    }
    let file = |path: &str, contents: String| File {
        path: format!("ansible/{path}"),
        mode: 0o644,
        contents: contents.into_bytes(),
        producer: Producer::Target(TARGET.to_owned()),
    };
    let mut files = vec![
        file("ansible.cfg", ansible_cfg()),
        file("inventory.ini", inventory(plan)),
        file("site.yml", playbook(plan, &deployable, diagnostics)),
    ];
    if let Some(containers) = crate::containers::playbook(plan.stack, diagnostics) {
        files.push(file("containers.yml", containers));
    }
    let vault = crate::vault::example(plan.stack);
    if !vault.is_empty() {
        files.push(file("group_vars/all/vault.yml.example", vault));
    }
    files
}

fn has_host_work(s: &ServicePlan<'_>) -> bool {
    !s.hosts.is_empty()
        && (!s.files.is_empty()
            || !s.packages.is_empty()
            || !s.secret_files.is_empty()
            || !s.system_services.is_empty())
}

fn ansible_cfg() -> String {
    "# Written by stackc.\n[defaults]\ninventory = inventory.ini\ninterpreter_python = auto_silent\n".to_owned()
}

fn inventory(plan: &Plan<'_>) -> String {
    let stack = plan.stack;
    let mut out = format!("# Inventory of stack `{}`, written by stackc.\n\n[all]\n", stack.name.value);
    for host in &stack.hosts {
        if host.labels.contains_key(crate::containers::IMAGE_LABEL) {
            // Created by containers.yml under the host's name; reached through Docker.
            writeln!(out, "{0} ansible_host={0} ansible_connection=community.docker.docker", host.name.value)
                .expect("write to string");
        } else {
            writeln!(out, "{} ansible_host={}", host.name.value, host.address.value).expect("write to string");
        }
    }
    for (group, members) in stack.groups() {
        write!(out, "\n[{}]\n", group_name("", group)).expect("write to string");
        for host in members {
            writeln!(out, "{}", host.name.value).expect("write to string");
        }
    }
    for service in &plan.services {
        if service.hosts.is_empty() {
            continue;
        }
        write!(out, "\n[{}]\n", group_name("service_", &service.service.name.value)).expect("write to string");
        for host in &service.hosts {
            writeln!(out, "{host}").expect("write to string");
        }
    }
    out
}

fn playbook(plan: &Plan<'_>, deployable: &[&ServicePlan<'_>], diagnostics: &mut Vec<Diagnostic>) -> String {
    // HTTP checks run on the control node, as a client of the service would; command checks
    // run on the service's own hosts. A service with both gets a play for each.
    let http: Vec<&ServicePlan<'_>> = deployable.iter().copied().filter(|s| !s.http_checks.is_empty()).collect();
    let command: Vec<&ServicePlan<'_>> = deployable.iter().copied().filter(|s| !s.command_checks.is_empty()).collect();
    let total = deployable.len() + http.len() + command.len();
    let mut out = format!(
        "---\n# Deploys stack `{}`, one play per step, then verifies it.\n\
         # Written by stackc; regenerate it rather than edit it.\n\
         #   ansible-playbook -i inventory.ini site.yml --ask-vault-pass\n",
        plan.stack.name.value
    );
    let mut step = 0;
    for service in deployable {
        step += 1;
        deploy_play(&mut out, plan, service, step, total, diagnostics);
    }
    for service in http {
        step += 1;
        http_verify_play(&mut out, service, step, total);
    }
    for service in command {
        step += 1;
        command_verify_play(&mut out, service, step, total);
    }
    out
}

fn deploy_play(
    out: &mut String,
    plan: &Plan<'_>,
    s: &ServicePlan<'_>,
    step: usize,
    total: usize,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let name = &s.service.name.value;
    let title = format!("Step {step}/{total}: {name} ({})", s.service.plugin.value);
    let mut handlers: Vec<String> = s.system_services.iter().map(|svc| handler_name(&svc.name, svc.reload)).collect();
    handlers.extend(s.processes.iter().map(|p| process_handler_name(p)));
    let notify = |out: &mut String| {
        if !handlers.is_empty() {
            out.push_str("      notify:\n");
            for h in &handlers {
                writeln!(out, "        - {}", quote(h)).expect("write to string");
            }
        }
    };
    write!(
        out,
        "\n- name: {}\n  hosts: {}\n  become: true\n  gather_facts: false\n  tasks:\n",
        quote(&title),
        group_name("service_", name)
    )
    .expect("write to string");

    apt_repositories(out, s);

    if !s.packages.is_empty() {
        out.push_str("    - name: Install packages\n      ansible.builtin.apt:\n        name:\n");
        for p in &s.packages {
            writeln!(out, "          - {}", quote(p)).expect("write to string");
        }
        out.push_str("        state: present\n        update_cache: true\n");
        out.push_str(if s.repositories.is_empty() { "        cache_valid_time: 3600\n\n" } else { "\n" });
    }

    process_accounts(out, s);

    let dirs: BTreeSet<&str> = s
        .files
        .keys()
        .copied()
        .chain(s.secret_files.iter().map(|f| f.path.as_str()))
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .filter(|d| !d.is_empty())
        .collect();
    if !dirs.is_empty() {
        out.push_str(
            "    - name: Create directories\n      ansible.builtin.file:\n        path: \"{{ item }}\"\n        state: directory\n        owner: root\n        group: root\n        mode: \"0755\"\n      loop:\n",
        );
        for d in &dirs {
            writeln!(out, "        - {}", quote(d)).expect("write to string");
        }
        out.push('\n');
    }

    if !s.files.is_empty() {
        out.push_str(
            "    - name: Install files\n      ansible.builtin.copy:\n        src: \"{{ playbook_dir }}/../hosts/{{ inventory_hostname }}{{ item.path }}\"\n        dest: \"{{ item.path }}\"\n        owner: root\n        group: root\n        mode: \"{{ item.mode }}\"\n      loop:\n",
        );
        let mut restricted = false;
        for (path, (mode, hosts)) in &s.files {
            writeln!(out, "        - path: {}\n          mode: \"{mode:04o}\"", quote(path)).expect("write to string");
            if hosts.len() != s.hosts.len() {
                restricted = true;
                out.push_str("          hosts:\n");
                for h in hosts {
                    writeln!(out, "            - {}", quote(h)).expect("write to string");
                }
            }
        }
        if restricted {
            out.push_str("      when: item.hosts is not defined or inventory_hostname in item.hosts\n");
        }
        notify(out);
        out.push('\n');
    }

    if !s.secret_files.is_empty() {
        out.push_str(
            "    - name: Install secret files\n      ansible.builtin.copy:\n        content: \"{{ item.content }}\"\n        dest: \"{{ item.path }}\"\n        owner: root\n        group: root\n        mode: \"{{ item.mode }}\"\n      loop:\n",
        );
        for f in &s.secret_files {
            let Some(content) = secret_expression(plan, &f.secret) else {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::emit::secret",
                        format!("secret `{}` cannot be written to a file on a host", f.secret),
                    )
                    .at(s.service.name.span, "this service asks for it")
                    .with_help(
                        "host files take secrets from `vault=` or `env=`; a `kube-secret=` lives in the cluster",
                    ),
                );
                continue;
            };
            writeln!(
                out,
                "        - path: {}\n          mode: \"{:04o}\"\n          content: {}",
                quote(&f.path),
                f.mode,
                quote(&content)
            )
            .expect("write to string");
        }
        out.push_str("      no_log: true\n");
        notify(out);
        out.push('\n');
    }

    for svc in &s.system_services {
        write!(
            out,
            "    - name: {}\n      ansible.builtin.systemd_service:\n        name: {}\n        enabled: true\n        state: started\n\n",
            quote(&format!("Enable and start {}", svc.name)),
            quote(&svc.name)
        )
        .expect("write to string");
    }
    process_starts(out, s);
    trim_blank_tail(out);

    if !s.system_services.is_empty() || !s.processes.is_empty() {
        out.push_str("\n  handlers:\n");
        for svc in &s.system_services {
            let state = if svc.reload { "reloaded" } else { "restarted" };
            write!(
                out,
                "    - name: {}\n      ansible.builtin.systemd_service:\n        name: {}\n        state: {state}\n",
                quote(&handler_name(&svc.name, svc.reload)),
                quote(&svc.name)
            )
            .expect("write to string");
        }
        process_handlers(out, s);
    }
}

fn process_handler_name(process: &Process) -> String {
    match process.supervisor {
        Supervisor::Daemontools => format!("Restart {} under daemontools", process.name),
        Supervisor::Systemd => format!("Restart {}", process.name),
    }
}

/// System users for supervised processes, their working directories and log directories.
fn process_accounts(out: &mut String, s: &ServicePlan<'_>) {
    let mut users: BTreeSet<&str> = BTreeSet::new();
    for p in &s.processes {
        users.insert(p.user.as_str());
        if p.supervisor == Supervisor::Daemontools {
            users.insert(daemontools::log_user(p));
        }
    }
    users.retain(|u| *u != "root" && *u != "nobody");
    for user in &users {
        write!(
            out,
            "    - name: {}\n      ansible.builtin.user:\n        name: {}\n        system: true\n        create_home: false\n        home: /nonexistent\n        shell: /usr/sbin/nologin\n\n",
            quote(&format!("Create system user {user}")),
            quote(user)
        )
        .expect("write to string");
    }
    for p in &s.processes {
        let mut dirs = vec![(p.working_directory.clone(), p.user.as_str())];
        if p.supervisor == Supervisor::Daemontools {
            dirs.push((format!("{}/log/main", daemontools::service_dir(p)), daemontools::log_user(p)));
        }
        for (dir, owner) in dirs {
            write!(
                out,
                "    - name: {}\n      ansible.builtin.file:\n        path: {}\n        state: directory\n        owner: {}\n        mode: \"0755\"\n\n",
                quote(&format!("Create {dir} for {}", p.name)),
                quote(&dir),
                quote(owner)
            )
            .expect("write to string");
        }
    }
}

/// Supervised processes: systemd units are enabled and started; daemontools service
/// directories are picked up by svscan, so the play waits until supervise runs them.
fn process_starts(out: &mut String, s: &ServicePlan<'_>) {
    for p in &s.processes {
        match p.supervisor {
            Supervisor::Systemd => write!(
                out,
                "    - name: {}\n      ansible.builtin.systemd_service:\n        name: {}\n        enabled: true\n        state: started\n        daemon_reload: true\n\n",
                quote(&format!("Enable and start {}", p.name)),
                quote(&format!("{}.service", p.name))
            )
            .expect("write to string"),
            Supervisor::Daemontools => {
                let dir = daemontools::service_dir(p);
                // Debian's daemontools-run runs svscan on /etc/service from this unit.
                out.push_str(
                    "    - name: Enable and start svscan\n      ansible.builtin.systemd_service:\n        name: daemontools-run.service\n        enabled: true\n        state: started\n\n",
                );
                write!(
                    out,
                    "    - name: {}\n      ansible.builtin.wait_for:\n        path: {}\n        timeout: 30\n      loop:\n        - {}\n        - {}\n      loop_control:\n        loop_var: supervise_ok\n\n",
                    quote(&format!("Wait for svscan to supervise {}", p.name)),
                    quote("{{ supervise_ok }}"),
                    quote(&format!("{dir}/supervise/ok")),
                    quote(&format!("{dir}/log/supervise/ok"))
                )
                .expect("write to string");
            }
        }
    }
}

fn process_handlers(out: &mut String, s: &ServicePlan<'_>) {
    for p in &s.processes {
        match p.supervisor {
            Supervisor::Systemd => write!(
                out,
                "    - name: {}\n      ansible.builtin.systemd_service:\n        name: {}\n        state: restarted\n        daemon_reload: true\n",
                quote(&process_handler_name(p)),
                quote(&format!("{}.service", p.name))
            )
            .expect("write to string"),
            Supervisor::Daemontools => {
                write!(
                    out,
                    "    - name: {}\n      ansible.builtin.command:\n        argv:\n          - svc\n          - \"-t\"\n          - {}\n      changed_when: true\n",
                    quote(&process_handler_name(p)),
                    quote(&daemontools::service_dir(p))
                )
                .expect("write to string");
            }
        }
    }
}

/// The service's HTTP checks, made from the control node (`localhost`, which Ansible provides
/// without an inventory entry).
fn http_verify_play(out: &mut String, s: &ServicePlan<'_>, step: usize, total: usize) {
    let name = &s.service.name.value;
    write!(
        out,
        "\n- name: {}\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n",
        quote(&format!("Step {step}/{total}: verify {name}"))
    )
    .expect("write to string");
    for check in &s.http_checks {
        write!(
            out,
            "    - name: {}\n      ansible.builtin.uri:\n        url: {}\n        status_code: {}\n        validate_certs: {}\n\n",
            quote(&capitalize(&check.name)),
            quote(&check.url),
            check.status,
            !check.insecure
        )
        .expect("write to string");
    }
    trim_blank_tail(out);
}

/// The service's command checks, run on each of its hosts.
fn command_verify_play(out: &mut String, s: &ServicePlan<'_>, step: usize, total: usize) {
    let name = &s.service.name.value;
    let title = if s.http_checks.is_empty() {
        format!("Step {step}/{total}: verify {name}")
    } else {
        format!("Step {step}/{total}: verify {name} on its hosts")
    };
    write!(
        out,
        "\n- name: {}\n  hosts: {}\n  gather_facts: false\n  tasks:\n",
        quote(&title),
        group_name("service_", name)
    )
    .expect("write to string");
    for check in &s.command_checks {
        write!(out, "    - name: {}\n      ansible.builtin.command:\n        argv:\n", quote(&capitalize(&check.name)))
            .expect("write to string");
        for arg in &check.command {
            writeln!(out, "          - {}", quote(arg)).expect("write to string");
        }
        out.push_str("      changed_when: false\n\n");
    }
    trim_blank_tail(out);
}

/// APT repositories (deb822 `.sources` files) before the packages that come from them. The
/// package task then refreshes the cache unconditionally: `cache_valid_time` would skip the
/// refresh right after a repository was added.
fn apt_repositories(out: &mut String, s: &ServicePlan<'_>) {
    if s.repositories.is_empty() {
        return;
    }
    out.push_str(
        "    - name: Install python3-debian for deb822 repositories\n      ansible.builtin.apt:\n        name: python3-debian\n        state: present\n        update_cache: true\n        cache_valid_time: 3600\n\n",
    );
    out.push_str(
        "    - name: Add APT repositories\n      ansible.builtin.deb822_repository:\n        name: \"{{ item.name }}\"\n        types: deb\n        uris: \"{{ item.uris }}\"\n        suites: \"{{ item.suites }}\"\n        components: \"{{ item.components }}\"\n        signed_by: \"{{ item.signed_by }}\"\n        state: present\n      loop:\n",
    );
    for r in &s.repositories {
        writeln!(
            out,
            "        - name: {}\n          uris: {}\n          suites: {}\n          components: {}\n          signed_by: {}",
            quote(&r.name),
            quote(&r.uris),
            quote(&r.suites),
            quote(&r.components),
            quote(&r.signed_by)
        )
        .expect("write to string");
    }
    out.push('\n');
}

fn trim_blank_tail(out: &mut String) {
    while out.ends_with("\n\n") {
        out.pop();
    }
}

fn handler_name(service: &str, reload: bool) -> String {
    format!("{} {service}", if reload { "Reload" } else { "Restart" })
}

/// ansible-lint wants names to start with a capital letter.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The Jinja expression that yields a secret on the target, or `None` for secrets that
/// cannot reach a host file.
fn secret_expression(plan: &Plan<'_>, name: &str) -> Option<String> {
    match &plan.stack.secret(name)?.source {
        SecretSource::Vault { variable } => Some(format!("{{{{ {variable} }}}}")),
        SecretSource::Env { variable } => Some(format!("{{{{ lookup('ansible.builtin.env', '{variable}') }}}}")),
        SecretSource::KubeSecret { .. } => None,
    }
}
