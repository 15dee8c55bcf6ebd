//! Pre-initialization: a plugin's start-up work done once, when it is built.
//!
//! Every plugin call runs in a fresh instance, so whatever a plugin does first on every call
//! (above all, parsing its handlebars templates: about a millisecond, against tens of
//! microseconds for the render itself) would be paid on every call. The SDK's
//! `register_plugin!` exports [`EXPORT`], which does that work; here the core module runs it
//! once and its memory and globals are snapshotted into a new module with
//! [`wasmtime_wizer`], so every instance starts where the export left off. The export is
//! removed from the result: a plugin cannot be initialized twice.
//!
//! The snapshot is a pure function of the module: the export runs without imports (any call
//! to one traps), without clock or randomness, so the same module gives the same bytes.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use wasmtime::{Engine, Instance, Linker, Module, Store, Val};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

/// The export the SDK's `register_plugin!` adds for pre-initialization.
pub const EXPORT: &str = "stackc-preinitialize";

/// Runs the module's [`EXPORT`] and returns the module snapshotted after it. A module
/// without the export (built with an older SDK, or by hand) is returned unchanged.
pub fn preinitialize(module: &[u8]) -> Result<Vec<u8>, String> {
    if !has_export(module, EXPORT)? {
        return Ok(module.to_vec());
    }
    let mut wizer = Wizer::new();
    wizer.init_func(EXPORT);
    let (context, instrumented) = wizer.instrument(module).map_err(|e| format!("{e:#}"))?;

    let engine = Engine::default();
    let instrumented = Module::new(&engine, &instrumented).map_err(|e| format!("{e:#}"))?;
    let mut linker = Linker::new(&engine);
    linker.define_unknown_imports_as_traps(&instrumented).map_err(|e| format!("{e:#}"))?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &instrumented).map_err(|e| format!("{e:#}"))?;
    instance
        .get_typed_func::<(), ()>(&mut store, EXPORT)
        .and_then(|init| init.call(&mut store, ()))
        .map_err(|e| format!("`{EXPORT}` failed: {e:#}"))?;

    let mut state = Snapshotted { store, instance };
    run_to_completion(wizer.snapshot(&context, &mut state)).map_err(|e| format!("{e:#}"))
}

fn has_export(module: &[u8], name: &str) -> Result<bool, String> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ExportSection(exports) = payload.map_err(|e| e.to_string())? {
            for export in exports {
                if export.map_err(|e| e.to_string())?.name == name {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

/// The instance after initialization, as wizer reads it.
struct Snapshotted {
    store: Store<()>,
    instance: Instance,
}

impl InstanceState for Snapshotted {
    async fn global_get(&mut self, name: &str, _: ValType) -> SnapshotVal {
        let global = self.instance.get_global(&mut self.store, name).expect("wizer asks for its own exports");
        match global.get(&mut self.store) {
            Val::I32(x) => SnapshotVal::I32(x),
            Val::I64(x) => SnapshotVal::I64(x),
            Val::F32(x) => SnapshotVal::F32(x),
            Val::F64(x) => SnapshotVal::F64(x),
            Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => panic!("wizer snapshots no reference globals, got {other:?}"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self.instance.get_memory(&mut self.store, name).expect("wizer asks for its own exports");
        contents(memory.data(&self.store));
    }
}

/// Wizer's snapshot is `async` for hosts that read instances asynchronously; ours answers at
/// once, so the future completes without ever waiting.
fn run_to_completion<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
}
