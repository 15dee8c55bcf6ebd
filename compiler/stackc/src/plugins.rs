//! The plugins a compilation can use, by name: the built-ins, and per stack the third-party
//! plugins it declares.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use stackc_model::Sha256Digest;
use stackc_plugin_host::{CacheStore, Compiled, Engine, Limits, LoadError, NoCache, Plugin};

/// A loaded plugin and where it came from.
pub struct LoadedPlugin {
    pub plugin: Plugin,
    /// `builtin` or the path it was loaded from.
    pub origin: String,
}

/// The built-in plugins, the engine that runs every plugin, and the cache third-party
/// components are compiled through.
///
/// A built-in is loaded (its precompiled code deserialized, `describe` called) the first time
/// it is asked for: a stack that uses two plugins pays for two.
pub struct Plugins {
    engine: Engine,
    builtins: BTreeMap<&'static str, Builtin>,
    /// Plugins added from component bytes (tests, embedders); they shadow built-ins.
    added: BTreeMap<String, LoadedPlugin>,
    cache: Box<dyn CacheStore>,
}

/// A built-in plugin, loaded on first use.
struct Builtin {
    embedded: &'static stackc_builtins::Builtin,
    loaded: OnceLock<Result<LoadedPlugin, LoadError>>,
}

impl Builtin {
    fn load(&self, engine: &Engine) -> Result<&LoadedPlugin, &LoadError> {
        self.loaded
            .get_or_init(|| {
                let e = self.embedded;
                let plugin = engine.load_precompiled(e.component, e.precompiled, Sha256Digest::from_bytes(e.digest))?;
                Ok(LoadedPlugin { plugin, origin: "builtin".to_owned() })
            })
            .as_ref()
    }
}

impl Plugins {
    /// The built-in plugins, each loaded from its precompiled bytes when first used.
    pub fn builtin(limits: Limits) -> Result<Self, (String, LoadError)> {
        let engine = Engine::new(limits).map_err(|e| ("engine".to_owned(), e))?;
        let builtins = stackc_builtins::BUILTINS
            .iter()
            .map(|embedded| (embedded.name, Builtin { embedded, loaded: OnceLock::new() }))
            .collect();
        Ok(Plugins { engine, builtins, added: BTreeMap::new(), cache: Box::new(NoCache) })
    }

    /// Compiles third-party components through `cache` from now on.
    pub fn with_cache(mut self, cache: Box<dyn CacheStore>) -> Self {
        self.cache = cache;
        self
    }

    /// Adds a plugin from component bytes (compiled now, with Cranelift). A plugin of the
    /// same name replaces the built-in. For tests and embedders; stacks declare third-party
    /// plugins with `plugin` nodes instead.
    pub fn add(&mut self, component: &[u8], origin: &str) -> Result<&LoadedPlugin, LoadError> {
        let plugin = self.engine.load(component)?;
        let name = plugin.info().name.clone();
        self.added.insert(name.clone(), LoadedPlugin { plugin, origin: origin.to_owned() });
        Ok(&self.added[&name])
    }

    /// Loads a third-party component through the cache.
    pub(crate) fn load_third_party(&self, component: &[u8]) -> Result<(Plugin, Compiled), LoadError> {
        self.engine.load_cached(component, self.cache.as_ref())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The plugin called `name`, loading it if it is a built-in not loaded yet. `None` when
    /// there is no such plugin; an error when the built-in cannot be loaded.
    pub fn load(&self, name: &str) -> Option<Result<&LoadedPlugin, &LoadError>> {
        if let Some(added) = self.added.get(name) {
            return Some(Ok(added));
        }
        Some(self.builtins.get(name)?.load(&self.engine))
    }

    /// The plugin called `name`, if it exists and loads.
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.load(name)?.ok().map(|p| &p.plugin)
    }

    /// Plugin names, sorted. Loads nothing.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.builtins.keys().copied().chain(self.added.keys().map(String::as_str)).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every plugin, sorted by name, loading each; a built-in that cannot be loaded is
    /// returned as its error.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Result<&LoadedPlugin, &LoadError>)> {
        self.names().into_iter().filter_map(|name| Some((name, self.load(name)?)))
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
