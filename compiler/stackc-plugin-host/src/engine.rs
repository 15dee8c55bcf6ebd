//! The wasmtime engine and how components are loaded into it.

use std::sync::Arc;

use stackc_model::Sha256Digest;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Enabled, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::bindings;
use crate::cache::{self, CacheStore, Compiled, PRECOMPILED};
use crate::error::LoadError;
use crate::plugin::{Plugin, Pre};
use crate::sandbox::{self, HostState, Limits};
use crate::slots::{self, Slots};
use crate::{v0_1, v0_2, v0_3};

/// The WIT package version this host implements, whose records every later phase uses.
pub const WIT_VERSION: &str = "0.4.0";

/// Which bindings a component is called through: the WIT version it was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Current,
    V0_3,
    V0_2,
    V0_1,
}

/// Every version a plugin may be built against, newest first.
const VERSIONS: [(&str, Version); 4] = [
    (WIT_VERSION, Version::Current),
    (v0_3::VERSION, Version::V0_3),
    (v0_2::VERSION, Version::V0_2),
    (v0_1::VERSION, Version::V0_1),
];

/// The oldest of [`VERSIONS`], for messages.
pub(crate) const OLDEST_WIT_VERSION: &str = v0_1::VERSION;

/// The one import a plugin may have.
const HOST_INTERFACE: &str = "stackc:plugin/host";
/// The interface a plugin must export.
const PLUGIN_INTERFACE: &str = "stackc:plugin/service-plugin";

/// The engine configuration every component is compiled and run with.
///
/// Build scripts precompile the built-in plugins with this same configuration; wasmtime
/// refuses a precompiled artifact whose configuration differs, and the host then compiles
/// from the component bytes instead.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // Fuel, not epochs: fuel runs out at the same instruction on every machine.
    config.consume_fuel(true);
    // Determinism: NaN bit patterns and relaxed SIMD results differ between CPUs.
    config.cranelift_nan_canonicalization(true);
    // Threads are not compiled into this wasmtime at all (see the workspace features).
    config.wasm_relaxed_simd(false);
    config
}

/// A wasmtime engine with the host functions linked, ready to load plugins.
pub struct Engine {
    engine: wasmtime::Engine,
    linker: Linker<HostState>,
    limits: Limits,
    slots: Arc<Slots>,
}

impl Engine {
    pub fn new(limits: Limits) -> Result<Self, LoadError> {
        let mut config = engine_config();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(&limits)));
        let engine = wasmtime::Engine::new(&config).map_err(|e| LoadError::Engine(e.to_string()))?;
        let mut linker = Linker::new(&engine);
        bindings::stackc::plugin::host::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .and_then(|()| v0_3::add_to_linker(&mut linker))
            .and_then(|()| v0_2::add_to_linker(&mut linker))
            .and_then(|()| v0_1::add_to_linker(&mut linker))
            .map_err(|e| LoadError::Engine(e.to_string()))?;
        Ok(Engine { engine, linker, limits, slots: Arc::new(Slots::new(slots::INSTANCES)) })
    }

    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.engine
    }

    /// Loads a component from bytes that were precompiled for this engine, falling back to
    /// compiling `component` when the precompiled bytes do not fit this engine (another
    /// wasmtime version or CPU). `digest` is the component's sha256, computed when it was
    /// precompiled, so that loading does not hash it again on every run.
    pub fn load_precompiled(
        &self,
        component: &[u8],
        precompiled: &[u8],
        digest: Sha256Digest,
    ) -> Result<Plugin, LoadError> {
        // SAFETY: `precompiled` was produced by `Engine::precompile_component` in this
        // project's build script from `component`, and is embedded in the binary; it is not
        // untrusted input. wasmtime still checks that it matches this engine's configuration.
        match unsafe { Component::deserialize(&self.engine, precompiled) } {
            Ok(compiled) => self.instantiate_pre(digest, compiled, true),
            Err(_) => self.load(component),
        }
    }

    /// Compiles a component (Cranelift: 40–600 ms) and prepares it for instantiation.
    pub fn load(&self, component: &[u8]) -> Result<Plugin, LoadError> {
        check_imports_and_exports(component)?;
        let compiled = Component::new(&self.engine, component).map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        self.instantiate_pre(Sha256Digest::of(component), compiled, false)
    }

    /// Loads a third-party component through `cache`: precompiled code is used when an
    /// intact entry for these exact bytes and this engine exists, else the component is
    /// compiled and the entry (re)written. See `cache.rs` for what makes an entry usable.
    pub fn load_cached(&self, component: &[u8], cache: &dyn CacheStore) -> Result<(Plugin, Compiled), LoadError> {
        check_imports_and_exports(component)?;
        let digest = Sha256Digest::of(component);
        let key = cache::key(digest, &self.engine);
        let mut why = None;
        if let Some(entry) = cache.get(&key) {
            match cache::unseal(PRECOMPILED, &entry) {
                // SAFETY: the payload is byte for byte what `Component::serialize` produced
                // for this component digest and engine (checksum and key checked above);
                // wasmtime still verifies that it fits this engine's configuration.
                Ok(payload) => match unsafe { Component::deserialize(&self.engine, payload) } {
                    Ok(compiled) => return Ok((self.instantiate_pre(digest, compiled, true)?, Compiled::CacheHit)),
                    Err(e) => why = Some(format!("stale ({e})")),
                },
                Err(reason) => why = Some(reason.to_owned()),
            }
        }
        let compiled = Component::new(&self.engine, component).map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        let stored = compiled.serialize().is_ok_and(|payload| cache.put(&key, &cache::seal(PRECOMPILED, &payload)));
        let plugin = self.instantiate_pre(digest, compiled, false)?;
        Ok((plugin, why.map_or(Compiled::CacheMiss { stored }, |why| Compiled::Rebuilt { why })))
    }

    /// Precompiles a component for this engine; build scripts and caches use it.
    pub fn precompile(&self, component: &[u8]) -> Result<Vec<u8>, LoadError> {
        check_imports_and_exports(component)?;
        self.engine.precompile_component(component).map_err(|e| LoadError::Invalid(format!("{e:#}")))
    }

    /// `digest`: the sha256 of the component bytes `component` was compiled from.
    fn instantiate_pre(
        &self,
        digest: Sha256Digest,
        component: Component,
        precompiled: bool,
    ) -> Result<Plugin, LoadError> {
        let version = check_component_type(&self.engine, &component)?;
        let invalid = |e: wasmtime::Error| LoadError::Invalid(format!("{e:#}"));
        let pre = self.linker.instantiate_pre(&component).map_err(invalid)?;
        let pre = match version {
            Version::Current => Pre::Current(bindings::PluginPre::new(pre).map_err(invalid)?),
            Version::V0_3 => Pre::V0_3(v0_3::PluginPre::new(pre).map_err(invalid)?),
            Version::V0_2 => Pre::V0_2(v0_2::PluginPre::new(pre).map_err(invalid)?),
            Version::V0_1 => Pre::V0_1(v0_1::PluginPre::new(pre).map_err(invalid)?),
        };
        Plugin::new(self.engine.clone(), pre, self.limits, self.slots.clone(), digest, precompiled)
    }
}

/// The instance pool (see `slots.rs`). A run-time choice: compiled code does not depend on it,
/// so precompiled built-ins and compile cache entries are valid with or without it.
fn pool(limits: &Limits) -> PoolingAllocationConfig {
    let instances = slots::INSTANCES;
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(instances)
        // A component made by `wit-component` holds a few core instances, one memory and a
        // table or two. One that needs more than the pool holds fails to instantiate, with
        // wasmtime's message naming the limit.
        .total_core_instances(instances * 8)
        .total_memories(instances * 2)
        .total_tables(instances * 8)
        // The limiter (`sandbox.rs`) refuses growth beyond these first, with a clear trap.
        .max_memory_size(limits.memory)
        .table_elements(sandbox::MAX_TABLE_ELEMENTS)
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(KEEP_RESIDENT)
        // On Linux 6.7 and later, reset only the pages a call dirtied (found with the
        // `PAGEMAP_SCAN` ioctl) instead of writing zeros over all `KEEP_RESIDENT` bytes: a
        // built-in plugin's call dirties a few of its ~1.2 MiB. Measured on two cores, 1,000
        // `nginx` services: plugin-call CPU 131 ms → 82 ms. Elsewhere wasmtime falls back to
        // the plain reset; output never depends on it.
        .pagemap_scan(Enabled::Auto);
    pool
}

/// Bytes of a memory or table slot reset by writing zeros (and the component's initial image)
/// rather than given back to the kernel between calls.
///
/// Giving pages back (`madvise`) costs a TLB shootdown on every core running the process and
/// page faults on the next call: with two threads that was most of a render. Measured on two
/// cores, 1,000 `k8s` services: 0.35 s cold with pages given back, 0.17 s with 2 MiB or more
/// kept (a built-in plugin starts with about 1.2 MiB of memory); 1 MiB was not enough. The
/// cost is memory kept per slot in use, about one slot per thread.
const KEEP_RESIDENT: usize = 4 << 20;

/// Refuses a component whose imports go beyond the host interface, or that was built
/// against another version of the WIT package. Reads only the component's type section,
/// before anything is compiled or instantiated.
fn check_imports_and_exports(bytes: &[u8]) -> Result<Version, LoadError> {
    let interface = component_interface(bytes)?;
    check_names(&interface.imports, &interface.exports)
}

/// What a component imports and exports, by name, as its outermost sections declare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentInterface {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

impl ComponentInterface {
    /// The WIT version of `stackc:plugin` the component exports its plugin interface at.
    pub fn wit_version(&self) -> Option<String> {
        let prefix = format!("{PLUGIN_INTERFACE}@");
        self.exports.iter().find(|e| e.starts_with(&prefix)).map(|e| version_of(e))
    }
}

/// Reads a component's imports and exports without compiling it: what `stackc plugin
/// inspect` shows and what the host checks before it compiles anything.
pub fn component_interface(bytes: &[u8]) -> Result<ComponentInterface, LoadError> {
    use wasmparser::{Parser, Payload};
    if !Parser::is_component(bytes) {
        return Err(LoadError::Invalid("not a WebAssembly component (a core module?)".to_owned()));
    }
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    // Nested modules and components have sections of their own; only the outermost
    // component's imports and exports are its interface to the host.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| LoadError::Invalid(e.to_string()))? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    imports.push(import.map_err(|e| LoadError::Invalid(e.to_string()))?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    exports.push(export.map_err(|e| LoadError::Invalid(e.to_string()))?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(ComponentInterface { imports, exports })
}

fn check_component_type(engine: &wasmtime::Engine, component: &Component) -> Result<Version, LoadError> {
    let ty = component.component_type();
    let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_owned()).collect();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_owned()).collect();
    check_names(&imports, &exports)
}

/// The version a component with these imports and exports was built against, if it is one
/// this host supports and it imports nothing but that version's host interface.
fn check_names(imports: &[String], exports: &[String]) -> Result<Version, LoadError> {
    let unsupported = |found: String| LoadError::WitVersion { found, supported: WIT_VERSION.to_owned() };
    let exported = exports.iter().find(|e| e.starts_with(&format!("{PLUGIN_INTERFACE}@")));
    let Some(exported) = exported else {
        // An import of our own host interface at some version is a version problem: say so.
        return match imports.iter().find(|n| n.starts_with(&format!("{HOST_INTERFACE}@"))) {
            Some(host) if !VERSIONS.iter().any(|(v, _)| *v == version_of(host)) => Err(unsupported(version_of(host))),
            _ => Err(forbidden(imports, None).unwrap_or(LoadError::NotAPlugin)),
        };
    };
    let found = version_of(exported);
    let Some(&(wit, version)) = VERSIONS.iter().find(|(v, _)| *v == found) else {
        return Err(unsupported(found));
    };
    match forbidden(imports, Some(wit)) {
        Some(error) => Err(error),
        None => Ok(version),
    }
}

/// The error for imports beyond the host interface of `version` (and the types interface).
fn forbidden(imports: &[String], version: Option<&str>) -> Option<LoadError> {
    let host = version.map(|v| format!("{HOST_INTERFACE}@{v}"));
    let mut forbidden: Vec<String> = imports
        .iter()
        .filter(|name| Some(name.as_str()) != host.as_deref() && !name.starts_with("stackc:plugin/types@"))
        .cloned()
        .collect();
    if let Some(other) = forbidden.iter().find(|n| n.starts_with(&format!("{HOST_INTERFACE}@"))) {
        return Some(LoadError::WitVersion { found: version_of(other), supported: WIT_VERSION.to_owned() });
    }
    (!forbidden.is_empty()).then(|| {
        forbidden.sort();
        LoadError::ForbiddenImports(forbidden)
    })
}

fn version_of(name: &str) -> String {
    name.rsplit_once('@').map_or("unknown", |(_, v)| v).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_the_host_interface_of_the_same_version_may_be_imported() {
        let exports = names(&["stackc:plugin/service-plugin@0.4.0"]);
        assert_eq!(check_names(&names(&["stackc:plugin/host@0.4.0"]), &exports).ok(), Some(Version::Current));
        assert_eq!(check_names(&[], &exports).ok(), Some(Version::Current));
        let wasi = names(&["wasi:cli/environment@0.2.0", "wasi:filesystem/types@0.2.0"]);
        assert!(matches!(check_names(&wasi, &exports), Err(LoadError::ForbiddenImports(list)) if list.len() == 2));
        let mixed = names(&["stackc:plugin/host@0.1.0"]);
        assert!(matches!(check_names(&mixed, &exports), Err(LoadError::WitVersion { found, .. }) if found == "0.1.0"));
    }

    #[test]
    fn plugins_built_against_older_versions_still_load() {
        let exports = names(&["stackc:plugin/service-plugin@0.3.0"]);
        assert_eq!(check_names(&names(&["stackc:plugin/host@0.3.0"]), &exports).ok(), Some(Version::V0_3));
        let exports = names(&["stackc:plugin/service-plugin@0.2.0"]);
        assert_eq!(check_names(&names(&["stackc:plugin/host@0.2.0"]), &exports).ok(), Some(Version::V0_2));
        let exports = names(&["stackc:plugin/service-plugin@0.1.0"]);
        assert_eq!(check_names(&names(&["stackc:plugin/host@0.1.0"]), &exports).ok(), Some(Version::V0_1));
    }

    #[test]
    fn other_wit_versions_are_named() {
        let exports = names(&["stackc:plugin/service-plugin@0.5.0"]);
        match check_names(&[], &exports) {
            Err(LoadError::WitVersion { found, supported }) => {
                assert_eq!(found, "0.5.0");
                assert_eq!(supported, WIT_VERSION);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(check_names(&[], &[]), Err(LoadError::NotAPlugin)));
        let host_only = names(&["stackc:plugin/host@0.9.0"]);
        assert!(matches!(check_names(&host_only, &[]), Err(LoadError::WitVersion { found, .. }) if found == "0.9.0"));
    }
}
