//! What a service's hosts do besides receiving files, in terms any deploy tool can apply:
//! accounts and directories to create, units to start, handlers that restart what changed.
//!
//! Packaged services and supervised processes both end up here, so deploy emitters never
//! learn which supervisor runs a process.

/// A directory that must exist, owned by the account that writes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnedDirectory {
    pub(crate) path: String,
    pub(crate) owner: String,
    /// The process that needs it.
    pub(crate) process: String,
}

/// Something started at the end of a service's step, once its files are in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Start {
    /// Enable and start a systemd unit: a packaged service's, or one stackc wrote, which
    /// systemd must read first (`daemon_reload`). `label` names what the unit runs.
    Unit { label: String, unit: String, daemon_reload: bool },
    /// Enable and start the unit of a supervisor that runs every process it is given.
    Supervisor { name: String, unit: String },
    /// Wait until the supervisor runs a process: each of `ready_files` exists once it does.
    Supervised { process: String, supervisor: String, ready_files: Vec<String> },
}

/// What runs when a service's files change, or its packages are installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handler {
    /// The name that tasks notify it by.
    pub(crate) name: String,
    pub(crate) action: Restart,
    pub(crate) trigger: Trigger,
}

/// Which changes run a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A change of the service's files.
    Files,
    /// The first install of the service's packages, which starts a packaged service with the
    /// package's default configuration. A reload cannot always move it to the service's own:
    /// Debian's nginx listens on `*:80`, and a reload that asks for `10.0.0.1:80` fails to bind
    /// while the wildcard socket is still open. So an install restarts.
    Install,
    /// Both.
    FilesAndInstall,
}

impl Handler {
    /// Whether a change of files notifies it.
    pub(crate) fn on_files(&self) -> bool {
        matches!(self.trigger, Trigger::Files | Trigger::FilesAndInstall)
    }

    /// Whether an install of packages notifies it.
    pub(crate) fn on_install(&self) -> bool {
        matches!(self.trigger, Trigger::Install | Trigger::FilesAndInstall)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restart {
    /// Reload or restart a systemd unit, after reading unit files again when `daemon_reload`.
    Unit { unit: String, reload: bool, daemon_reload: bool },
    /// Run a program that restarts it (a supervisor's control tool).
    Command { program: String, args: Vec<String> },
}
