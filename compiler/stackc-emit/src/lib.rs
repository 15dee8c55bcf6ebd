//! Turns rendered artifacts into what deploy tools consume.
//!
//! Plugins say *what* a service needs (files on its hosts, packages, a packaged service to
//! reload, checks); emitters decide *how* it is applied. Adding a deploy target never touches
//! a plugin; adding a plugin never touches an emitter.
//!
//! - [`hosts`]: one file tree per host, `hosts/<host>/<absolute path>`, exactly what lands on
//!   each machine;
//! - [`ansible`]: an inventory and a playbook with one play per step that installs packages,
//!   copies the host trees, fills secret files from Vault, reloads services through handlers,
//!   and ends with a verification play;
//! - [`daemontools`] and [`systemd`]: supervised processes as `/etc/service/<name>/` run
//!   scripts or `/etc/systemd/system/<name>.service` units, placed among the host files.
//!
//! Emitters are pure: they return bundle files and diagnostics.

pub mod ansible;
mod containers;
mod daemontools;
pub mod hosts;
mod kube;
mod order;
mod plan;
mod supervise;
mod systemd;
mod vault;
mod yaml;

use stackc_bundle::File;
use stackc_diag::Diagnostic;
use stackc_model::Stack;
use stackc_plugin_host::Artifact;

/// One service's render output.
pub struct Rendered {
    /// Index into [`Stack::services`].
    pub service: usize,
    /// `name@version` of the plugin.
    pub plugin: String,
    pub artifacts: Vec<Artifact>,
}

/// Runs every emitter. `rendered` has one entry per service, in stack order.
pub fn emit(stack: &Stack, rendered: &[Rendered]) -> (Vec<File>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // Processes become daemontools service directories or systemd units first, so every
    // emitter below sees them as ordinary host files.
    let expanded;
    let rendered = if supervise::has_processes(rendered) {
        expanded = supervise::expand(stack, rendered, &mut diagnostics);
        expanded.as_slice()
    } else {
        rendered
    };
    let plan = plan::Plan::new(stack, rendered, &mut diagnostics);
    let mut files = hosts::emit(&plan, &mut diagnostics);
    files.extend(plan::bundle_files(stack, rendered));
    files.extend(ansible::emit(&plan, &mut diagnostics));
    let vault_example_written = files.iter().any(kube::is_vault_example);
    files.extend(kube::emit(stack, rendered, vault_example_written, &mut diagnostics));
    (files, diagnostics)
}
