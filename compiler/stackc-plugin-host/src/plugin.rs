//! A loaded plugin and its calls.

use std::collections::BTreeSet;
use std::sync::Arc;

use stackc_model::{Exports, Sha256Digest};
use wasmtime::Store;

use crate::Artifact;
use crate::bindings::stackc::plugin::types as wit;
use crate::bindings::{self, PluginPre};
use crate::cache::CacheStore;
use crate::error::{CallError, LoadError, Trap};
use crate::reuse::{self, Reuse};
use crate::sandbox::{HostState, Limits};
use crate::slots::Slots;
use crate::{convert, validate};
use crate::{v0_1, v0_2, v0_3};

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub summary: String,
    /// JSON Schema of the config.
    pub config_schema: String,
    pub wants_stack_endpoints: bool,
}

/// Input of a render call.
pub struct RenderInput<'a> {
    pub stack: &'a str,
    pub service: &'a str,
    /// The config as JSON, references resolved.
    pub config: &'a str,
    pub hosts: Vec<(String, String, Vec<String>)>,
    /// JSON list of every service's endpoints (or `[]`).
    pub stack_endpoints: &'a str,
    /// The Compose project the service runs in, if it is placed on one.
    pub compose_project: Option<&'a str>,
}

/// A component ready to be instantiated, by the bindings of the WIT version it was built
/// against.
pub(crate) enum Pre {
    Current(PluginPre<HostState>),
    V0_3(v0_3::PluginPre<HostState>),
    V0_2(v0_2::PluginPre<HostState>),
    V0_1(v0_1::PluginPre<HostState>),
}

/// A component ready to be instantiated, one fresh instance per call.
pub struct Plugin {
    engine: wasmtime::Engine,
    pre: Pre,
    limits: Limits,
    /// The engine's instance slots, shared by all its plugins.
    slots: Arc<Slots>,
    info: PluginInfo,
    digest: Sha256Digest,
    precompiled: bool,
}

impl Plugin {
    pub(crate) fn new(
        engine: wasmtime::Engine,
        pre: Pre,
        limits: Limits,
        slots: Arc<Slots>,
        digest: Sha256Digest,
        precompiled: bool,
    ) -> Result<Self, LoadError> {
        let mut plugin = Plugin { engine, pre, limits, slots, info: PluginInfo::default(), digest, precompiled };
        let info = plugin
            .call_describe()
            .map_err(|e| LoadError::Invalid(format!("`describe` failed: {}", describe_error(&e))))?;
        plugin.info = convert::plugin_info(info);
        Ok(plugin)
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// sha256 of the component bytes.
    pub fn digest(&self) -> Sha256Digest {
        self.digest
    }

    /// Whether the plugin was loaded from precompiled bytes (no Cranelift at run time).
    pub fn precompiled(&self) -> bool {
        self.precompiled
    }

    /// What a service offers others, from its config alone, reusing an earlier call's result
    /// with the same plugin, service and config from `store` (see `reuse.rs`; [`NoCache`]
    /// to always call the plugin).
    ///
    /// [`NoCache`]: crate::NoCache
    pub fn expose_reusing(&self, service: &str, config: &str, store: &dyn CacheStore) -> Result<Exports, CallError> {
        let key = reuse::expose_key(self.digest, service, config);
        if let Ok(Some(exports)) = reuse::lookup_exports(store, &key) {
            return Ok(convert::exports(exports));
        }
        let exports = self.call_expose(service, config)?;
        if let Some(entry) = reuse::exports_entry(&exports) {
            store.put(&key, &entry);
        }
        Ok(convert::exports(exports))
    }

    fn call_describe(&self) -> Result<wit::PluginInfo, CallError> {
        match &self.pre {
            Pre::Current(pre) => self.call(|store| instance(pre, store)?.call_describe(store)),
            Pre::V0_3(pre) => self.call(|store| v0_3_instance(pre, store)?.call_describe(store)).map(v0_3::plugin_info),
            Pre::V0_2(pre) => self
                .call(|store| v0_2_instance(pre, store)?.call_describe(store))
                .map(|info| v0_3::plugin_info(v0_2::plugin_info(info))),
            Pre::V0_1(pre) => self
                .call(|store| v0_1_instance(pre, store)?.call_describe(store))
                .map(|info| v0_3::plugin_info(v0_2::plugin_info(v0_1::plugin_info(info)))),
        }
    }

    /// Runs the plugin's `expose`: its exports as it returned them, or its config errors.
    fn call_expose(&self, service: &str, config: &str) -> Result<wit::Exports, CallError> {
        let input = wit::ExposeInput { service: service.to_owned(), config: config.to_owned() };
        let result = match &self.pre {
            Pre::Current(pre) => self.call(|store| instance(pre, store)?.call_expose(store, &input))?,
            Pre::V0_3(pre) => {
                let input = v0_3::expose_input(&input);
                self.call(|store| v0_3_instance(pre, store)?.call_expose(store, &input))?
                    .map(v0_3::exports)
                    .map_err(v0_3::problems)
            }
            Pre::V0_2(pre) => {
                let input = v0_2::expose_input(&v0_3::expose_input(&input));
                self.call(|store| v0_2_instance(pre, store)?.call_expose(store, &input))?
                    .map(|exports| v0_3::exports(v0_2::exports(exports)))
                    .map_err(|problems| v0_3::problems(v0_2::problems(problems)))
            }
            Pre::V0_1(pre) => {
                let input = v0_1::expose_input(&v0_2::expose_input(&v0_3::expose_input(&input)));
                self.call(|store| v0_1_instance(pre, store)?.call_expose(store, &input))?
                    .map(|exports| v0_3::exports(v0_2::exports(v0_1::exports(exports))))
                    .map_err(|problems| v0_3::problems(v0_2::problems(v0_1::problems(problems))))
            }
        };
        result.map_err(|problems| CallError::Config(convert::problems(problems)))
    }

    /// The artifacts of one service, checked (see `validate.rs`), reusing an earlier call's
    /// output with the same plugin and input from `store` (see `reuse.rs`; [`NoCache`] to
    /// always call the plugin). Reused output is checked like fresh output.
    ///
    /// [`NoCache`]: crate::NoCache
    pub fn render_reusing(
        &self,
        input: &RenderInput<'_>,
        store: &dyn CacheStore,
    ) -> Result<(Vec<Artifact>, Reuse), CallError> {
        let key = reuse::key(self.digest, input);
        let found = reuse::lookup(store, &key);
        if let Ok(Some(artifacts)) = found {
            validate::artifacts(&artifacts, self.limits.output).map_err(CallError::Output)?;
            return Ok((artifacts, Reuse::Reused));
        }
        let artifacts = self.call_render(input)?;
        let entry = reuse::entry(&artifacts);
        validate::artifacts(&artifacts, self.limits.output).map_err(CallError::Output)?;
        // Stored only once the output passed the checks.
        let stored = entry.is_some_and(|entry| store.put(&key, &entry));
        let how = match found {
            Err(why) => Reuse::Rerendered { why },
            Ok(_) => Reuse::Rendered { stored },
        };
        Ok((artifacts, how))
    }

    /// Runs the plugin's `render`: its output as it returned it, or its config errors.
    fn call_render(&self, input: &RenderInput<'_>) -> Result<Vec<Artifact>, CallError> {
        let input = wit::RenderInput {
            stack: input.stack.to_owned(),
            service: input.service.to_owned(),
            config: input.config.to_owned(),
            hosts: input
                .hosts
                .iter()
                .map(|(name, address, groups)| wit::HostInfo {
                    name: name.clone(),
                    address: address.clone(),
                    groups: groups.clone(),
                })
                .collect(),
            stack_endpoints: input.stack_endpoints.to_owned(),
            compose_project: input.compose_project.map(str::to_owned),
        };
        let result = match &self.pre {
            Pre::Current(pre) => self.call(|store| instance(pre, store)?.call_render(store, &input))?,
            Pre::V0_3(pre) => {
                let input = v0_3::render_input(&input);
                self.call(|store| v0_3_instance(pre, store)?.call_render(store, &input))?
                    .map(|artifacts| artifacts.into_iter().map(v0_3::artifact).collect())
                    .map_err(v0_3::problems)
            }
            Pre::V0_2(pre) => {
                let input = v0_2::render_input(&v0_3::render_input(&input));
                self.call(|store| v0_2_instance(pre, store)?.call_render(store, &input))?
                    .map(|artifacts| artifacts.into_iter().map(|a| v0_3::artifact(v0_2::artifact(a))).collect())
                    .map_err(|problems| v0_3::problems(v0_2::problems(problems)))
            }
            Pre::V0_1(pre) => {
                let input = v0_1::render_input(&v0_2::render_input(&v0_3::render_input(&input)));
                self.call(|store| v0_1_instance(pre, store)?.call_render(store, &input))?
                    .map(|artifacts| {
                        artifacts.into_iter().map(|a| v0_3::artifact(v0_2::artifact(v0_1::artifact(a)))).collect()
                    })
                    .map_err(|problems| v0_3::problems(v0_2::problems(v0_1::problems(problems))))
            }
        };
        result.map_err(|problems| CallError::Config(convert::problems(problems)))
    }

    /// Runs `f` in a fresh store, in which `f` makes its instance. The store, and with it a
    /// trapped instance, is dropped when the call returns.
    fn call<T>(&self, f: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<T>) -> Result<T, CallError> {
        // Taken before the store is made, so that it is given back after the store, and with
        // it the instance in the slot, is dropped.
        let _slot = self.slots.take();
        let mut store = Store::new(&self.engine, HostState::new(&self.limits));
        store.limiter(|state| state);
        store.set_fuel(self.limits.fuel).map_err(|e| CallError::Trap(Trap::Other(e.to_string())))?;
        let outcome = f(&mut store);
        outcome.map_err(|error| CallError::Trap(self.classify(&store, &error)))
    }

    fn classify(&self, store: &Store<HostState>, error: &wasmtime::Error) -> Trap {
        let state = store.data();
        if let Some(requested) = state.memory_exceeded {
            return Trap::OutOfMemory { requested, limit: self.limits.memory };
        }
        if let Some(message) = state.panic_message() {
            return Trap::Panic(message.to_owned());
        }
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::OutOfFuel) => Trap::OutOfFuel { fuel: self.limits.fuel },
            Some(wasmtime::Trap::StackOverflow) => Trap::StackOverflow,
            Some(wasmtime::Trap::MemoryOutOfBounds) if recursed_out_of_bounds(error) => Trap::StackOverflow,
            Some(trap) => Trap::Other(trap.to_string()),
            None => Trap::Other(format!("{error:#}")),
        }
    }
}

/// A fresh instance's `service-plugin` interface.
fn instance(
    pre: &PluginPre<HostState>,
    store: &mut Store<HostState>,
) -> wasmtime::Result<bindings::exports::stackc::plugin::service_plugin::Guest> {
    Ok(pre.instantiate(&mut *store)?.stackc_plugin_service_plugin().clone())
}

/// A fresh instance's `service-plugin` interface, of a 0.3.0 plugin.
fn v0_3_instance(
    pre: &v0_3::PluginPre<HostState>,
    store: &mut Store<HostState>,
) -> wasmtime::Result<v0_3::ServicePlugin> {
    Ok(pre.instantiate(&mut *store)?.stackc_plugin_service_plugin().clone())
}

/// A fresh instance's `service-plugin` interface, of a 0.2.0 plugin.
fn v0_2_instance(
    pre: &v0_2::PluginPre<HostState>,
    store: &mut Store<HostState>,
) -> wasmtime::Result<v0_2::ServicePlugin> {
    Ok(pre.instantiate(&mut *store)?.stackc_plugin_service_plugin().clone())
}

/// A fresh instance's `service-plugin` interface, of a 0.1.0 plugin.
fn v0_1_instance(
    pre: &v0_1::PluginPre<HostState>,
    store: &mut Store<HostState>,
) -> wasmtime::Result<v0_1::ServicePlugin> {
    Ok(pre.instantiate(&mut *store)?.stackc_plugin_service_plugin().clone())
}

/// Whether an out-of-bounds access happened deep in recursion, which for a Rust or C guest
/// means that its own stack overflowed.
///
/// Those guests keep locals whose address is taken (arrays, most structs) on a stack of
/// their own in linear memory, below their data. Recursing past its end moves the stack
/// pointer below address 0, where it wraps to the top of the address space, and the next
/// access there is out of bounds: wasmtime's own stack limit is never reached. The
/// backtrace wasmtime attaches keeps the innermost frames only; when they are many and
/// mostly repeat a few functions, the guest was recursing.
fn recursed_out_of_bounds(error: &wasmtime::Error) -> bool {
    /// Frames to look at; wasmtime keeps 20 by default.
    const FRAMES: usize = 16;
    let Some(backtrace) = error.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return false;
    };
    let frames = backtrace.frames();
    if frames.len() < FRAMES {
        return false;
    }
    let functions: BTreeSet<(Option<&str>, u32)> =
        frames[..FRAMES].iter().map(|frame| (frame.module().name(), frame.func_index())).collect();
    functions.len() <= FRAMES / 2
}

fn describe_error(error: &CallError) -> String {
    match error {
        CallError::Trap(trap) => trap.to_string(),
        CallError::Config(_) | CallError::Output(_) => "unexpected result".to_owned(),
    }
}
