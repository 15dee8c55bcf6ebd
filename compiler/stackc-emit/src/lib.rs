//! Turns rendered artifacts into what deploy tools consume.
//!
//! Plugins say *what* a service needs (files on its hosts, packages, a packaged service to
//! reload, a process to supervise, Kubernetes objects, checks); emitters decide *how* it is
//! applied. Adding a deploy target never touches a plugin; adding a plugin never touches an
//! emitter.
//!
//! The steps, each a module:
//!
//! 1. [`supervise`]: processes become daemontools service directories or systemd units
//!    (plain host files) plus the accounts, directories, starts and restarts they need;
//! 2. [`plan`]: what each service needs on which host and in the cluster, gathered and
//!    checked once; every problem is reported here;
//! 3. emitters lay the plan out: [`hosts`] (`hosts/<host>/<path>`, exactly what lands on each
//!    machine), [`service_files`], [`ansible`] (inventory, `site.yml`, `containers.yml`),
//!    [`kube`] (manifests, Helm values, `kubernetes.yml`), [`vault`] (the example Vault
//!    layout both playbooks read) and [`compose`] (the Compose project). Every YAML file is a
//!    typed value written by [`yaml`].
//!
//! Emitters are pure: they return bundle files and diagnostics.

mod ansible;
mod compose;
mod host_work;
mod hosts;
mod kube;
mod labels;
mod order;
mod plan;
mod service_files;
mod shell;
mod supervise;
mod vault;
mod yaml;

#[cfg(test)]
mod tests;

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
    let supervised = supervise::supervise(stack, rendered, &mut diagnostics);
    let plan = plan::Plan::new(stack, rendered, &supervised, &mut diagnostics);
    let mut files = hosts::emit(&plan);
    files.extend(service_files::emit(stack, rendered));
    files.extend(ansible::emit(&plan));
    files.extend(kube::emit(&plan));
    files.extend(vault::emit(&plan));
    files.extend(compose::emit(&plan));
    (files, diagnostics)
}
