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
mod declared;
mod expose;
mod failure;
mod insight;
mod plugins;
mod ports;
mod progress;
mod render;
mod sound;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use stackc_bundle::lock::{Pin, PluginSource};
use stackc_bundle::{Bundle, ServiceInfo};
use stackc_diag::{Diagnostics, Sources};
use stackc_model::Stack;

use crate::plugins::Catalog;

pub use insight::{Insight, insight};
pub use plugins::{LoadedPlugin, Plugins};
pub use progress::{Phase, Progress};
pub use stackc_bundle as bundle;
pub use stackc_diag as diag;
pub use stackc_model as model;
pub use stackc_plugin_host::{CacheStore, Compiled, PluginInfo, Reuse};
pub use stackc_plugin_host::{ComponentInterface, Limits, LoadError, WIT_VERSION, component_interface};
pub use stackc_resolve::{Data, LoadError as SourceError, Loaded, Published, SourceLoader, limits};
pub use stackc_syntax as syntax;

/// What to compile.
pub struct Options<'a> {
    /// The root stack file, as the user named it.
    pub root: &'a str,
    /// `--values` files, applied before `--set`.
    pub values: &'a [String],
    /// `--set name=value` overrides.
    pub overrides: &'a [String],
    /// Where render and expose results are reused from and kept (see [`Reuse`]); `None`
    /// calls the plugins for every service.
    pub render_cache: Option<&'a dyn CacheStore>,
    /// Counters for a progress line, updated as services are exposed and rendered.
    pub progress: Option<&'a Progress>,
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
    /// Services whose plugin ran in render (the rest reused an earlier identical render).
    pub rendered: usize,
    /// Services whose render result was reused from the render cache.
    pub reused: usize,
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
    /// Every plugin a service of the stack uses, sorted by name; empty when resolution failed.
    pub plugins: Vec<UsedPlugin>,
}

/// A plugin a compilation used: what the lockfile pins of it, and how it was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedPlugin {
    pub pin: Pin,
    pub compiled: Compiled,
}

/// Loads a component the way a stack's `plugin` declaration would (imports, WIT version,
/// `describe`), without a stack: `stackc plugin build` verifies what it built with it.
pub fn inspect_component(component: &[u8]) -> Result<stackc_plugin_host::PluginInfo, LoadError> {
    let engine = stackc_plugin_host::Engine::new(Limits::default())?;
    Ok(engine.load(component)?.info().clone())
}

/// The names of the built-in plugins, sorted.
pub fn builtin_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = stackc_builtins::BUILTINS.iter().map(|b| b.name).collect();
    names.sort_unstable();
    names
}

/// The component of the built-in plugin `name`, as embedded in this binary.
pub fn builtin_component(name: &str) -> Option<&'static [u8]> {
    stackc_builtins::BUILTINS.iter().find(|b| b.name == name).map(|b| b.component)
}

/// A service's config as its plugin receives it to describe the service (`expose`): JSON, with
/// references by name (their endpoints are placed later, for `render`) and secrets by name.
pub fn config_json(service: &stackc_model::Service) -> serde_json::Value {
    config_json::to_json(&service.config, &config_json::Refs::Unresolved)
}

/// Compiles a stack into a bundle.
pub fn compile(options: &Options<'_>, loader: &dyn SourceLoader, plugins: &Plugins) -> Compilation {
    let mut timings = Timings::default();
    let start = Instant::now();
    let names = plugins.names();
    let resolved = stackc_resolve::resolve(
        &stackc_resolve::Input {
            root: options.root,
            values: options.values,
            overrides: options.overrides,
            plugins: &names,
        },
        loader,
    );
    timings.resolve = start.elapsed();
    let mut diagnostics = resolved.diagnostics;
    let sources = resolved.sources;
    let fail = |sources, stack, diagnostics, timings| Compilation {
        sources,
        stack,
        bundle: None,
        diagnostics,
        timings,
        plugins: Vec::new(),
    };
    let Some(stack) = resolved.stack else {
        return fail(sources, None, diagnostics, timings);
    };
    if diagnostics.has_errors() {
        // The services resolution found sound still have their configs checked.
        if let Some(sound) = sound::sound_part(&stack, &diagnostics) {
            let mut checked = Diagnostics::new();
            run_plugins(&sound, options, loader, plugins, &sources, &mut checked, &mut timings);
            diagnostics.extend(checked);
        }
        return fail(sources, Some(stack), diagnostics, timings);
    }
    let Some((rendered, used)) =
        run_plugins(&stack, options, loader, plugins, &sources, &mut diagnostics, &mut timings)
    else {
        return fail(sources, Some(stack), diagnostics, timings);
    };

    if let Some(progress) = options.progress {
        progress.start(Phase::Emit, 0);
    }
    let start = Instant::now();
    let (files, emit_diagnostics) = stackc_emit::emit(&stack, &rendered);
    diagnostics.extend(emit_diagnostics);
    let services = rendered
        .iter()
        .map(|r| ServiceInfo { name: stack.services[r.service].name.value.clone(), plugin: r.plugin.clone() })
        .collect();
    // The emitted files hold copies of every artifact's contents; freeing the artifacts
    // before hashing keeps one copy of the output in memory, not two.
    drop(rendered);
    let bundle = (!diagnostics.has_errors()).then(|| Bundle::new(&stack.name.value, services, files));
    timings.emit = start.elapsed();
    Compilation { sources, stack: Some(stack), bundle, diagnostics, timings, plugins: used }
}

/// Loads the plugins `stack` uses, exposes and renders its services: the rendered services and
/// the plugins used, or `None` after an error (in `diagnostics`).
fn run_plugins(
    stack: &Stack,
    options: &Options<'_>,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
    sources: &Sources,
    diagnostics: &mut Diagnostics,
    timings: &mut Timings,
) -> Option<(Vec<stackc_emit::Rendered>, Vec<UsedPlugin>)> {
    let declared = declared::load_declared(stack, sources, loader, plugins, diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    load_builtins(stack, plugins, &declared, diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    let used = used_plugins(stack, plugins, &declared);
    let catalog = Catalog { builtin: plugins, declared: declared.into_iter().map(|(n, d)| (n, d.plugin)).collect() };

    let unobserved = Progress::default();
    let progress = options.progress.unwrap_or(&unobserved);
    let cache = options.render_cache.unwrap_or(&stackc_plugin_host::NoCache);
    let start = Instant::now();
    let exposed = expose::expose_all(stack, &catalog, cache, progress, diagnostics, &mut timings.plugin_calls);
    timings.expose = start.elapsed();
    if diagnostics.has_errors() {
        return None;
    }
    let start = Instant::now();
    progress.start(Phase::Render, stack.services.len());
    let rendered = render::render_all(stack, &catalog, &exposed, cache, progress, diagnostics, timings);
    timings.render = start.elapsed();
    (!diagnostics.has_errors()).then_some((rendered, used))
}

/// Loads the built-in plugins the services use (and only those); one that cannot be loaded
/// is an error at the first service using it.
fn load_builtins(
    stack: &Stack,
    plugins: &Plugins,
    declared: &BTreeMap<String, declared::Declared>,
    diagnostics: &mut Diagnostics,
) {
    let mut seen = BTreeSet::new();
    for service in &stack.services {
        let name = service.plugin.value.as_str();
        if declared.contains_key(name) || !seen.insert(name) {
            continue;
        }
        if let Some(Err(error)) = plugins.load(name) {
            diagnostics.push(
                stackc_diag::Diagnostic::error(
                    "stackc::plugin::builtin-unloadable",
                    format!("built-in plugin `{name}` cannot be loaded: {error}"),
                )
                .at(service.plugin.span, "used here")
                .with_help("this stackc binary is damaged or was built for another CPU; rebuild it"),
            );
        }
    }
}

/// The plugins the services use, built-in or declared, sorted by name.
fn used_plugins(stack: &Stack, builtin: &Plugins, declared: &BTreeMap<String, declared::Declared>) -> Vec<UsedPlugin> {
    let names: BTreeSet<&str> = stack.services.iter().map(|s| s.plugin.value.as_str()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (plugin, source, signer, compiled) = match declared.get(name) {
                Some(d) => {
                    let signer = d.signer.as_ref().map(|s| s.fingerprint.clone());
                    (&d.plugin, d.source.clone(), signer, d.compiled.clone())
                }
                None => (builtin.get(name)?, PluginSource::Builtin, None, Compiled::Embedded),
            };
            let pin = Pin {
                name: name.to_owned(),
                version: plugin.info().version.clone(),
                wit: WIT_VERSION.to_owned(),
                sha256: plugin.digest(),
                source,
                signer,
            };
            Some(UsedPlugin { pin, compiled })
        })
        .collect()
}
