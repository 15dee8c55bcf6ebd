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

/// What runs when a service's files change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handler {
    /// The name that file tasks notify it by.
    pub(crate) name: String,
    pub(crate) action: Restart,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restart {
    /// Reload or restart a systemd unit, after reading unit files again when `daemon_reload`.
    Unit { unit: String, reload: bool, daemon_reload: bool },
    /// Run a program that restarts it (a supervisor's control tool).
    Command { program: String, args: Vec<String> },
}
