//! Plays and tasks: the typed form of an Ansible playbook, written through [`crate::yaml`].
//!
//! Plays are set apart by blank lines, and so are the tasks of a play; handlers are not.
//! Names built from the stack are quoted, fixed names are bare.

use rayon::prelude::*;

use crate::plan::DeploySecret;
use crate::yaml::{self, Map, Scalar, Seq, Yaml};

#[derive(Clone)]
pub(crate) struct Play {
    /// `Step N/M: …`, so that a run shows which step failed.
    pub(crate) name: String,
    /// An inventory group, or `localhost` for the control node.
    pub(crate) hosts: String,
    /// `local` for plays on the control node.
    pub(crate) connection: Option<&'static str>,
    pub(crate) become_root: bool,
    /// `serial`: the play runs on this many hosts at a time, all its tasks on one batch
    /// before the next.
    pub(crate) serial: Option<u32>,
    /// `tags`, which `--tags`/`--skip-tags` pick plays by.
    pub(crate) tags: Vec<String>,
    pub(crate) tasks: Vec<Task>,
    pub(crate) handlers: Vec<Task>,
}

/// A task that is retried once a second until it succeeds or `times` runs failed.
#[derive(Clone, Copy)]
pub(crate) struct Retry {
    /// The variable the result is registered as.
    pub(crate) register: &'static str,
    pub(crate) times: u32,
}

#[derive(Clone)]
pub(crate) struct Task {
    pub(crate) name: Scalar,
    /// The module's fully qualified name, e.g. `ansible.builtin.copy`.
    pub(crate) module: &'static str,
    /// A map of arguments, or the one word a free-form module such as `meta` takes.
    pub(crate) args: Yaml,
    /// `loop`: the task runs once per item.
    pub(crate) items: Option<Vec<Yaml>>,
    /// `loop_control.loop_var`, when `item` is not the name to use.
    pub(crate) loop_var: Option<&'static str>,
    pub(crate) when: Option<&'static str>,
    /// `delegate_to`: the host the task runs on instead of the play's, a Jinja expression.
    pub(crate) delegate_to: Option<&'static str>,
    /// Retried until it succeeds (`register`, `until`, `retries`, `delay`).
    pub(crate) retry: Option<Retry>,
    /// Keeps the task's values (secrets) out of Ansible's output.
    pub(crate) no_log: bool,
    /// The handlers to run when the task changes something.
    pub(crate) notify: Vec<String>,
    pub(crate) changed_when: Option<bool>,
}

impl Task {
    pub(crate) fn new(name: Scalar, module: &'static str, args: Map) -> Self {
        Task::with_args(name, module, args.into())
    }

    /// `ansible.builtin.meta: <action>`, e.g. `flush_handlers`.
    pub(crate) fn meta(name: Scalar, action: &'static str) -> Self {
        Task::with_args(name, "ansible.builtin.meta", Scalar::plain(action).into())
    }

    fn with_args(name: Scalar, module: &'static str, args: Yaml) -> Self {
        Task {
            name,
            module,
            args,
            items: None,
            loop_var: None,
            when: None,
            delegate_to: None,
            retry: None,
            no_log: false,
            notify: Vec::new(),
            changed_when: None,
        }
    }

    pub(crate) fn looping(mut self, items: Vec<Yaml>) -> Self {
        self.items = Some(items);
        self
    }

    pub(crate) fn changed_when(mut self, changed: bool) -> Self {
        self.changed_when = Some(changed);
        self
    }

    fn into_yaml(self) -> Yaml {
        let mut map = Map::new().with("name", self.name).with(self.module, self.args);
        if let Some(items) = self.items {
            map.insert("loop", Seq::new(items));
        }
        if let Some(var) = self.loop_var {
            map.insert("loop_control", Map::new().with("loop_var", Scalar::plain(var)));
        }
        if let Some(condition) = self.when {
            map.insert("when", Scalar::plain(condition));
        }
        if let Some(host) = self.delegate_to {
            map.insert("delegate_to", Scalar::quoted(host));
        }
        if let Some(retry) = self.retry {
            map.insert("register", Scalar::plain(retry.register));
            map.insert("until", Scalar::plain(format!("{} is succeeded", retry.register)));
            map.insert("retries", i64::from(retry.times));
            map.insert("delay", 1_i64);
        }
        if self.no_log {
            map.insert("no_log", true);
        }
        if !self.notify.is_empty() {
            map.insert("notify", Yaml::quoted_list(self.notify));
        }
        if let Some(changed) = self.changed_when {
            map.insert("changed_when", changed);
        }
        map.into()
    }
}

impl Play {
    /// A play on the control node.
    pub(crate) fn local(name: String, tasks: Vec<Task>) -> Self {
        Play {
            name,
            hosts: "localhost".to_owned(),
            connection: Some("local"),
            become_root: false,
            serial: None,
            tags: Vec::new(),
            tasks,
            handlers: Vec::new(),
        }
    }

    /// The same play, tagged with `tags`.
    pub(crate) fn tagged(mut self, tags: Vec<String>) -> Self {
        self.tags = tags;
        self
    }

    fn into_yaml(self) -> Yaml {
        let mut map = Map::new().with("name", Scalar::quoted(self.name)).with("hosts", Scalar::plain(self.hosts));
        if let Some(connection) = self.connection {
            map.insert("connection", Scalar::plain(connection));
        }
        if self.become_root {
            map.insert("become", true);
        }
        if let Some(serial) = self.serial {
            map.insert("serial", i64::from(serial));
        }
        if !self.tags.is_empty() {
            map.insert("tags", Yaml::quoted_list(self.tags.iter().map(String::as_str)));
        }
        // No task reads facts, so gathering them would only cost time.
        map.insert("gather_facts", false);
        map.insert("tasks", Seq::spaced(self.tasks.into_iter().map(Task::into_yaml).collect()));
        if !self.handlers.is_empty() {
            map.insert("handlers", Seq::new(self.handlers.into_iter().map(Task::into_yaml).collect()));
        }
        map.into()
    }
}

/// The plays as one YAML value.
#[cfg(test)]
pub(crate) fn to_yaml(plays: &[Play]) -> Yaml {
    Seq::spaced(plays.iter().cloned().map(Play::into_yaml).collect()).into()
}

/// The playbook file: `header` (comment lines, each ending in a newline) and `count` plays,
/// play `i` made by `play(i)`.
///
/// The text of [`to_yaml`], made a chunk of plays at a time: a large stack's playbook
/// (thousands of plays, a few kilobytes each as values) is never in memory as plays or as one
/// tree, only as its text. A play's text depends on that play only, so a chunk's plays are
/// made and written in parallel and appended in their order. Tests read the text back and
/// compare it with `to_yaml`.
pub(crate) fn text(header: &str, count: usize, play: impl Fn(usize) -> Play + Sync) -> String {
    const CHUNK: usize = 64;
    let mut out = header.to_owned();
    for start in (0..count).step_by(CHUNK) {
        let texts: Vec<String> = (start..count.min(start + CHUNK))
            .into_par_iter()
            .map(|i| yaml::write(&Seq::spaced(vec![play(i).into_yaml()]).into()))
            .collect();
        for (i, text) in (start..).zip(texts) {
            // The blank line `Seq::spaced` puts between items.
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&text);
        }
    }
    out
}

/// The Jinja expression that yields a secret's value when the playbook runs.
pub(crate) fn secret_value(secret: DeploySecret<'_>) -> String {
    match secret {
        DeploySecret::Vault(variable) => format!("{{{{ {variable} }}}}"),
        DeploySecret::Env(variable) => format!("{{{{ lookup('ansible.builtin.env', '{variable}') }}}}"),
    }
}
