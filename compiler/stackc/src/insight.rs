//! What an editor shows about a resolved stack besides its diagnostics: the exports of every
//! service (for `(ref)` completion and hover) and the config schemas of the plugins the stack
//! declares (built-ins' come from [`Plugins`]).
//!
//! A build calls `expose` only for services whose exports something reads; an editor asks about
//! any service, so this calls it for each one, reusing results through the same
//! [`CacheStore`] a build fills.

use std::collections::BTreeMap;

use rayon::prelude::*;
use stackc_diag::{Diagnostics, Sources};
use stackc_model::{Exports, Stack};
use stackc_plugin_host::CacheStore;
use stackc_resolve::SourceLoader;

use crate::config_json::{Refs, to_json};
use crate::plugins::{Catalog, Plugins};

/// Exports and schemas of one resolved stack.
#[derive(Debug, Clone, Default)]
pub struct Insight {
    /// By service index: the service's exports, `None` where its plugin is unknown or does not
    /// load, or rejects the config.
    pub exports: Vec<Option<Exports>>,
    /// The JSON Schema of each plugin the stack declares and that loads, by name.
    pub declared_schemas: BTreeMap<String, String>,
}

/// The exports of every service of `stack` and the schemas of its declared plugins. Problems
/// are left out: [`crate::compile`] reports them.
pub fn insight(
    stack: &Stack,
    sources: &Sources,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
    cache: &dyn CacheStore,
) -> Insight {
    let declared = crate::declared::load_declared(stack, sources, loader, plugins, &mut Diagnostics::new());
    let catalog = Catalog { builtin: plugins, declared: declared.into_iter().map(|(n, d)| (n, d.plugin)).collect() };
    let exports = stack
        .services
        .par_iter()
        .map(|service| {
            let plugin = catalog.get(&service.plugin.value)?;
            let config = to_json(&service.config, &Refs::Unresolved).to_string();
            plugin.expose_reusing(&service.name.value, &config, cache).ok()
        })
        .collect();
    let declared_schemas =
        catalog.declared.iter().map(|(name, plugin)| (name.clone(), plugin.info().config_schema.clone())).collect();
    Insight { exports, declared_schemas }
}
