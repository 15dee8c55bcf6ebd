//! Third-party plugins a stack declares: read, checked against their pinned sha256,
//! compiled (through the cache) and loaded. Every failure is a diagnostic at the
//! declaration that names the services depending on it.

use std::collections::BTreeMap;

use stackc_diag::{Diagnostic, Diagnostics, Sources};
use stackc_model::{PluginDecl, Sha256Digest, Stack};
use stackc_plugin_host::{Compiled, Plugin};
use stackc_resolve::{LoadError, SourceLoader};

use crate::plugins::Plugins;

/// A declared plugin that loaded.
pub(crate) struct Declared {
    pub(crate) plugin: Plugin,
    /// The component file, as the loader names it (relative to where stackc runs).
    pub(crate) file: String,
    pub(crate) compiled: Compiled,
}

pub(crate) fn load_declared(
    stack: &Stack,
    sources: &Sources,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Declared> {
    let mut loaded = BTreeMap::new();
    for decl in &stack.plugins {
        match load_one(decl, sources, loader, plugins) {
            Ok(declared) => {
                loaded.insert(decl.name.value.clone(), declared);
            }
            Err(diagnostic) => diagnostics.push(with_users(*diagnostic, stack, decl)),
        }
    }
    loaded
}

fn load_one(
    decl: &PluginDecl,
    sources: &Sources,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
) -> Result<Declared, Box<Diagnostic>> {
    let name = &decl.name.value;
    let from = &sources.get(decl.path.span.file).name;
    let (file, bytes) =
        loader.load_bytes(&decl.path.value, from).map_err(|LoadError(why)| {
            Box::new(Diagnostic::error(
            "stackc::plugin::unreadable",
            format!("plugin `{name}`: cannot read `{}`: {why}", decl.path.value),
        )
        .at(decl.path.span, "the component file")
        .with_help(
            "the path is relative to the file that declares the plugin; `stackc plugin build` writes the component",
        ))
        })?;
    let actual = Sha256Digest::of(&bytes);
    if actual != decl.sha256.value {
        return Err(Box::new(
            Diagnostic::error(
                "stackc::plugin::digest-mismatch",
                format!("plugin `{name}`: `{file}` does not match its pinned sha256"),
            )
            .at(decl.sha256.span, format!("expected {}", decl.sha256.value))
            .with_help(format!(
                "actual sha256 {actual}: the component changed since it was pinned, so it was not \
             run; if you rebuilt it yourself, review the change and pin the new digest"
            )),
        ));
    }
    let (plugin, compiled) = plugins.load_third_party(&bytes).map_err(|error| {
        Box::new(
            Diagnostic::error("stackc::plugin::load", format!("plugin `{name}` cannot be used: {error}"))
                .at(decl.path.span, format!("loaded from `{file}`"))
                .with_help(load_help(&error)),
        )
    })?;
    let calls_itself = &plugin.info().name;
    if calls_itself != name {
        return Err(Box::new(
            Diagnostic::error(
                "stackc::plugin::name-mismatch",
                format!("the component `{file}` is plugin `{calls_itself}`, not `{name}`"),
            )
            .at(decl.name.span, "declared under this name")
            .with_help(format!(
                "declare it as `plugin \"{calls_itself}\"`, or point `path=` at the `{name}` component"
            )),
        ));
    }
    Ok(Declared { plugin, file, compiled })
}

fn load_help(error: &stackc_plugin_host::LoadError) -> String {
    use stackc_plugin_host::LoadError as E;
    match error {
        E::ForbiddenImports(_) => "plugins may import only `stackc:plugin/host`; build it with \
            `stackc plugin build` for `wasm32-unknown-unknown`, which imports no WASI"
            .to_owned(),
        E::WitVersion { found, supported } => format!(
            "rebuild the plugin against an SDK for WIT {supported} (it was built for {found}), \
             or use a stackc that supports WIT {found}"
        ),
        E::NotAPlugin => "a plugin exports `stackc:plugin/service-plugin`; register it with \
            `register_plugin!`"
            .to_owned(),
        E::Invalid(_) | E::Engine(_) => "rebuild it with `stackc plugin build`".to_owned(),
    }
}

/// Names the services that use the plugin, so a failure reads as theirs too.
fn with_users(mut diagnostic: Diagnostic, stack: &Stack, decl: &PluginDecl) -> Diagnostic {
    let users: Vec<_> = stack.services.iter().filter(|s| s.plugin.value == decl.name.value).collect();
    if !users.is_empty() {
        let list = users.iter().map(|u| format!("`{}`", u.name.value)).collect::<Vec<_>>().join(", ");
        let noun = if users.len() == 1 { "service" } else { "services" };
        diagnostic.message = format!("{} (used by {noun} {list})", diagnostic.message);
    }
    for service in users {
        diagnostic =
            diagnostic.with_secondary(service.plugin.span, format!("service `{}` uses it", service.name.value));
    }
    diagnostic
}
