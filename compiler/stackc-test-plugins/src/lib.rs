//! Plugins for tests of the sandbox: ones that misbehave on purpose, and components the host
//! must refuse to load.
//!
//! - [`WIT_0_1`], [`WIT_0_2`] and [`WIT_0_3`] are well-behaved plugins built against the older
//!   WIT versions the host still loads (`guests/wit-0-1`, `guests/wit-0-2`, `guests/wit-0-3`);
//! - [`HOSTILE`] is the `hostile` plugin (`guests/hostile`), built by this crate's build
//!   script: its service config picks a misbehaviour, e.g. `behaviour "loop"`.
//! - [`wasi_component`] and [`wit_version_component`] make components that are plugins in
//!   every respect but one: the first also imports a WASI interface, the second was built
//!   against another version of the WIT package. Their functions all trap; the host must
//!   refuse them before it runs any code.

use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection, Instruction,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function as WitFunction, IndexMap, LiftLowerAbi, ManglingAndAbi, Resolve, WasmExport, WasmExportKind, WasmImport,
    WorldId, WorldItem, WorldKey,
};

/// The `hostile` plugin, as a component.
pub const HOSTILE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stackc_test_hostile.wasm"));

/// The `old` plugin (`guests/wit-0-1`), built against `stackc:plugin@0.1.0`, as a component.
pub const WIT_0_1: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stackc_test_wit_0_1.wasm"));

/// The `older` plugin (`guests/wit-0-2`), built against `stackc:plugin@0.2.0`, as a component.
pub const WIT_0_2: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stackc_test_wit_0_2.wasm"));

/// The `previous` plugin (`guests/wit-0-3`), built against `stackc:plugin@0.3.0`, as a
/// component.
pub const WIT_0_3: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stackc_test_wit_0_3.wasm"));

/// The text the `hostile` plugin panics with (behaviour `panic`); the guest's
/// `PANIC_MESSAGE`.
pub const HOSTILE_PANIC_MESSAGE: &str = "the hostile plugin panics on purpose";

/// The WIT package plugins are built against.
const PLUGIN_WIT: &str = include_str!("../../../plugins/stackc-plugin-sdk/wit/since_v0.4.0/plugin.wit");

/// The WASI interface [`wasi_component`] imports.
pub const WASI_INTERFACE: &str = "wasi:cli/environment@0.2.0";

/// Part of WASI 0.2's `wasi:cli`: enough to import.
const WASI_CLI_WIT: &str = "
package wasi:cli@0.2.0;

interface environment {
    get-environment: func() -> list<tuple<string, string>>;
    get-arguments: func() -> list<string>;
    initial-cwd: func() -> option<string>;
}
";

/// A plugin world that also asks for the environment.
const WASI_PLUGIN_WIT: &str = "
package test:wasi-plugin;

world plugin {
    import stackc:plugin/host@0.4.0;
    import wasi:cli/environment@0.2.0;
    export stackc:plugin/service-plugin@0.4.0;
}
";

/// The WIT version [`wit_version_component`] is built against.
pub const OTHER_WIT_VERSION: &str = "0.5.0";

/// A plugin component that also imports [`WASI_INTERFACE`].
pub fn wasi_component() -> Vec<u8> {
    let mut resolve = Resolve::default();
    resolve.push_str("plugin.wit", PLUGIN_WIT).expect("plugin.wit parses");
    resolve.push_str("wasi-cli.wit", WASI_CLI_WIT).expect("wasi-cli.wit parses");
    let package = resolve.push_str("wasi-plugin.wit", WASI_PLUGIN_WIT).expect("wasi-plugin.wit parses");
    component(&resolve, resolve.select_world(&[package], Some("plugin")).expect("world `plugin`"))
}

/// A plugin component built against `stackc:plugin@`[`OTHER_WIT_VERSION`]: the WIT of
/// this version with only the package version changed.
pub fn wit_version_component() -> Vec<u8> {
    let current = "package stackc:plugin@0.4.0;";
    assert!(PLUGIN_WIT.contains(current), "plugin.wit declares `{current}`");
    let other = PLUGIN_WIT.replace(current, &format!("package stackc:plugin@{OTHER_WIT_VERSION};"));
    let mut resolve = Resolve::default();
    let package = resolve.push_str("plugin.wit", &other).expect("plugin.wit parses");
    component(&resolve, resolve.select_world(&[package], Some("plugin")).expect("world `plugin`"))
}

/// A component for `world` whose exported functions trap.
fn component(resolve: &Resolve, world: WorldId) -> Vec<u8> {
    let mut module = dummy_module(resolve, world);
    wit_component::embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8, false)
        .expect("embed the component type");
    ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .unwrap_or_else(|e| panic!("componentize: {e:#}"))
}

/// A core module with the imports and exports the canonical ABI expects for `world`: every
/// imported function, every exported function (its body `unreachable`), a memory and
/// `cabi_realloc`.
fn dummy_module(resolve: &Resolve, world: WorldId) -> Vec<u8> {
    let mangling = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);
    let world = &resolve.worlds[world];
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let mut functions = FunctionSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    // Imported functions come first in the function index space.
    let imported = interface_functions(resolve, &world.imports);
    for (key, func) in &imported {
        let signature = resolve.wasm_signature(AbiVariant::GuestImport, func);
        let (module, name) = resolve.wasm_import_name(mangling, WasmImport::Func { interface: Some(key), func });
        let ty = types.len();
        types.ty().function(val_types(&signature.params), val_types(&signature.results));
        imports.import(&module, &name, EntityType::Function(ty));
    }

    let mut function_index = u32::try_from(imported.len()).expect("few imports");
    let mut trapping = |params: Vec<ValType>, results: Vec<ValType>, name: &str| {
        let ty = types.len();
        types.ty().function(params, results);
        functions.function(ty);
        let mut body = Function::new([]);
        body.instruction(&Instruction::Unreachable).instruction(&Instruction::End);
        code.function(&body);
        exports.export(name, ExportKind::Func, function_index);
        function_index += 1;
    };
    for (key, func) in interface_functions(resolve, &world.exports) {
        let signature = resolve.wasm_signature(AbiVariant::GuestExport, func);
        let name = resolve
            .wasm_export_name(mangling, WasmExport::Func { interface: Some(key), func, kind: WasmExportKind::Normal });
        trapping(val_types(&signature.params), val_types(&signature.results), &name);
    }
    let realloc = resolve.wasm_export_name(mangling, WasmExport::Realloc);
    trapping(vec![ValType::I32; 4], vec![ValType::I32], &realloc);

    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 0, maximum: None, memory64: false, shared: false, page_size_log2: None });
    exports.export(&resolve.wasm_export_name(mangling, WasmExport::Memory), ExportKind::Memory, 0);

    let mut module = Module::new();
    module.section(&types).section(&imports).section(&functions).section(&memories).section(&exports).section(&code);
    module.finish()
}

/// The functions of the interfaces in `items`, in order.
fn interface_functions<'a>(
    resolve: &'a Resolve,
    items: &'a IndexMap<WorldKey, WorldItem>,
) -> Vec<(&'a WorldKey, &'a WitFunction)> {
    items
        .iter()
        .filter_map(|(key, item)| match item {
            WorldItem::Interface { id, .. } => Some((key, *id)),
            _ => None,
        })
        .flat_map(|(key, id)| resolve.interfaces[id].functions.values().map(move |func| (key, func)))
        .collect()
}

fn val_types(types: &[WasmType]) -> Vec<ValType> {
    types
        .iter()
        .map(|ty| match ty {
            WasmType::I32 | WasmType::Pointer | WasmType::Length => ValType::I32,
            WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
            WasmType::F32 => ValType::F32,
            WasmType::F64 => ValType::F64,
        })
        .collect()
}
