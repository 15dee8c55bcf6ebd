//! The stackc compiler: from a stack file to a bundle.
//!
//! ```text
//! stack.kdl ─parse─▶ KDL + spans ─resolve─▶ Stack ─expose─▶ exports ─render─▶ artifacts
//!           ─emit─▶ host trees, Ansible, … ─bundle─▶ files + manifest (root digest)
//! ```
//!
//! [`compile`] is the whole pipeline. It does no I/O: files arrive through a
//! [`SourceLoader`], plugins through a [`Plugins`] set, and the result is a [`Bundle`] in
//! memory plus diagnostics. Writing the bundle is the caller's job.
//!
//! Expose and render run one plugin call per service, in parallel; results are collected in
//! stack order, so the output does not depend on the number of threads.

mod config_json;
mod expose;
mod failure;
mod plugins;
mod render;

use std::time::{Duration, Instant};

use stackc_bundle::{Bundle, ServiceInfo};
use stackc_diag::{Diagnostics, Sources};
use stackc_model::Stack;

pub use plugins::{LoadedPlugin, Plugins};
pub use stackc_bundle as bundle;
pub use stackc_diag as diag;
pub use stackc_plugin_host::{Limits, LoadError, WIT_VERSION};
pub use stackc_resolve::{LoadError as SourceError, Loaded, SourceLoader};

/// What to compile.
pub struct Options<'a> {
    /// The root stack file, as the user named it.
    pub root: &'a str,
    /// `--set name=value` overrides.
    pub overrides: &'a [String],
}

/// Time spent per phase, for `--timings` and benchmarks. Never part of any output.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub resolve: Duration,
    pub expose: Duration,
    pub render: Duration,
    pub emit: Duration,
    /// Sum over services of plugin instantiate + call time (can exceed wall time when
    /// services render in parallel).
    pub plugin_calls: Duration,
}

/// The outcome of a compilation.
pub struct Compilation {
    pub sources: Sources,
    /// The resolved stack, when resolution got that far.
    pub stack: Option<Stack>,
    /// `Some` only when there are no errors.
    pub bundle: Option<Bundle>,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// Compiles a stack into a bundle.
pub fn compile(options: &Options<'_>, loader: &dyn SourceLoader, plugins: &Plugins) -> Compilation {
    let mut timings = Timings::default();
    let start = Instant::now();
    let names = plugins.names();
    let resolved = stackc_resolve::resolve(
        &stackc_resolve::Input { root: options.root, overrides: options.overrides, plugins: &names },
        loader,
    );
    timings.resolve = start.elapsed();
    let mut diagnostics = resolved.diagnostics;
    let sources = resolved.sources;
    let Some(stack) = resolved.stack else {
        return Compilation { sources, stack: None, bundle: None, diagnostics, timings };
    };
    if diagnostics.has_errors() {
        return Compilation { sources, stack: Some(stack), bundle: None, diagnostics, timings };
    }

    let start = Instant::now();
    let exposed = expose::expose_all(&stack, plugins, &mut diagnostics, &mut timings.plugin_calls);
    timings.expose = start.elapsed();
    if diagnostics.has_errors() {
        return Compilation { sources, stack: Some(stack), bundle: None, diagnostics, timings };
    }

    let start = Instant::now();
    let rendered = render::render_all(&stack, plugins, &exposed, &mut diagnostics, &mut timings.plugin_calls);
    timings.render = start.elapsed();
    if diagnostics.has_errors() {
        return Compilation { sources, stack: Some(stack), bundle: None, diagnostics, timings };
    }

    let start = Instant::now();
    let (files, emit_diagnostics) = stackc_emit::emit(&stack, &rendered);
    diagnostics.extend(emit_diagnostics);
    let services = rendered
        .iter()
        .map(|r| ServiceInfo { name: stack.services[r.service].name.value.clone(), plugin: r.plugin.clone() })
        .collect();
    let bundle = (!diagnostics.has_errors()).then(|| Bundle::new(&stack.name.value, services, files));
    timings.emit = start.elapsed();
    Compilation { sources, stack: Some(stack), bundle, diagnostics, timings }
}
