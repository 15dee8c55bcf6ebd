//! The plugins a compilation can use, by name: the built-ins, and per stack the third-party
//! plugins it declares.

use std::collections::BTreeMap;

use stackc_model::Sha256Digest;
use stackc_plugin_host::{CompileCache, Compiled, Engine, Limits, LoadError, NoCache, Plugin};

/// A loaded plugin and where it came from.
pub struct LoadedPlugin {
    pub plugin: Plugin,
    /// `builtin` or the path it was loaded from.
    pub origin: String,
}

/// The built-in plugins, the engine that runs every plugin, and the cache third-party
/// components are compiled through.
pub struct Plugins {
    engine: Engine,
    by_name: BTreeMap<String, LoadedPlugin>,
    cache: Box<dyn CompileCache>,
}

impl Plugins {
    /// The built-in plugins, loaded from their precompiled bytes.
    pub fn builtin(limits: Limits) -> Result<Self, (String, LoadError)> {
        let engine = Engine::new(limits).map_err(|e| ("engine".to_owned(), e))?;
        let mut by_name = BTreeMap::new();
        for builtin in stackc_builtins::BUILTINS {
            let plugin = engine
                .load_precompiled(builtin.component, builtin.precompiled, Sha256Digest::from_bytes(builtin.digest))
                .map_err(|e| (builtin.crate_name.to_owned(), e))?;
            let name = plugin.info().name.clone();
            by_name.insert(name, LoadedPlugin { plugin, origin: "builtin".to_owned() });
        }
        Ok(Plugins { engine, by_name, cache: Box::new(NoCache) })
    }

    /// Compiles third-party components through `cache` from now on.
    pub fn with_cache(mut self, cache: Box<dyn CompileCache>) -> Self {
        self.cache = cache;
        self
    }

    /// Adds a plugin from component bytes (compiled now, with Cranelift). A plugin of the
    /// same name replaces the built-in. For tests and embedders; stacks declare third-party
    /// plugins with `plugin` nodes instead.
    pub fn add(&mut self, component: &[u8], origin: &str) -> Result<&LoadedPlugin, LoadError> {
        let plugin = self.engine.load(component)?;
        let name = plugin.info().name.clone();
        self.by_name.insert(name.clone(), LoadedPlugin { plugin, origin: origin.to_owned() });
        Ok(&self.by_name[&name])
    }

    /// Loads a third-party component through the cache.
    pub(crate) fn load_third_party(&self, component: &[u8]) -> Result<(Plugin, Compiled), LoadError> {
        self.engine.load_cached(component, self.cache.as_ref())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.by_name.get(name).map(|p| &p.plugin)
    }

    /// Plugin names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.by_name.keys().map(String::as_str).collect()
    }

    /// Every plugin, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LoadedPlugin)> {
        self.by_name.iter().map(|(n, p)| (n.as_str(), p))
    }
}

/// The plugins one stack can use: the built-ins and those it declares.
pub(crate) struct Catalog<'a> {
    pub(crate) builtin: &'a Plugins,
    pub(crate) declared: BTreeMap<String, Plugin>,
}

impl Catalog<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<&Plugin> {
        self.declared.get(name).or_else(|| self.builtin.get(name))
    }
}
