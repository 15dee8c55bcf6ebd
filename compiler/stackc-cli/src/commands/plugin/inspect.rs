//! `stackc plugin inspect PLUGIN|FILE|REF`: what a component is, without a stack: name,
//! version, WIT version, imports and exports, config schema, digest and signature.

use std::path::Path;

use stackc_model::Sha256Digest;

use crate::args::PluginInspectArgs;
use crate::commands::ExitStatus;
use crate::registry::Registry;

pub fn run(args: &PluginInspectArgs) -> ExitStatus {
    let Inspected { origin, component, signature } = match fetch(&args.plugin) {
        Ok(fetched) => fetched,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let interface = match stackc::component_interface(&component) {
        Ok(interface) => interface,
        Err(error) => {
            eprintln!("error: `{}` is not a component: {error}", args.plugin);
            return ExitStatus::Failure;
        }
    };
    let info = match stackc::inspect_component(&component) {
        Ok(info) => info,
        Err(error) => {
            eprintln!("error: `{}` is not a plugin stackc can load: {error}", args.plugin);
            return ExitStatus::Failure;
        }
    };
    let schema = match super::super::config_schema(&info) {
        Ok(schema) => schema,
        Err(status) => return status,
    };
    outln!("plugin    {} {}", info.name, info.version);
    outln!("summary   {}", info.summary);
    outln!("origin    {origin}");
    outln!("wit       {}", interface.wit_version().as_deref().unwrap_or("none (not a stackc plugin)"));
    outln!("sha256    {}", Sha256Digest::of(&component));
    outln!("{}", signature_line(signature.as_deref(), &component));
    for import in &interface.imports {
        outln!("imports   {import}");
    }
    for export in &interface.exports {
        outln!("exports   {export}");
    }
    outln!("stack endpoints: {}", if info.wants_stack_endpoints { "wanted" } else { "not wanted" });
    outln!("config schema:");
    outln!("{}", serde_json::to_string_pretty(&schema).expect("a JSON value serializes"));
    ExitStatus::Success
}

/// A component, where it came from, and its signature if it has one.
struct Inspected {
    origin: String,
    component: Vec<u8>,
    signature: Option<Vec<u8>>,
}

/// The component `spec` names: a built-in's name, a component file (with `FILE.sig` beside it,
/// if any), or a registry reference.
fn fetch(spec: &str) -> Result<Inspected, String> {
    let path = Path::new(spec);
    if path.is_file() {
        let component =
            std::fs::read(path).map_err(|e| format!("cannot read `{spec}`: {}", crate::loader::io_reason(&e)))?;
        let signature = std::fs::read(format!("{spec}.sig")).ok();
        return Ok(Inspected { origin: format!("file {spec}"), component, signature });
    }
    if let Some(component) = stackc::builtin_component(spec) {
        return Ok(Inspected { origin: "built in".to_owned(), component: component.to_vec(), signature: None });
    }
    if spec.contains('/') && !spec.ends_with(".wasm") {
        let registry = Registry::new(spec).map_err(|e| e.0)?;
        let pulled = registry.pull().map_err(|e| e.0)?;
        let origin = format!("oci {} (manifest {})", registry.reference(), pulled.manifest);
        return Ok(Inspected { origin, component: pulled.component, signature: pulled.signature });
    }
    let hint = stackc::diag::suggest(spec, stackc::builtin_names())
        .map_or_else(String::new, |name| format!("; did you mean `{name}`?"));
    Err(format!(
        "`{spec}` is no built-in plugin, component file or registry reference{hint}\n\nhint: `stackc \
         plugins` lists the built-in plugins; a reference names its registry first: \
         `registry.example.org/plugins/name:1.0.0`"
    ))
}

/// `signature …`: who signed the component, checked with the key the signature names (whether
/// a stack trusts that key is the stack's `signed-by`).
pub(super) fn signature_line(signature: Option<&[u8]>, component: &[u8]) -> String {
    match signature.map(|signature| stackc_signature::signed_by(signature, component)) {
        None => "signature none".to_owned(),
        Some(Ok(signed)) => {
            format!("signature {} (valid; `signed-by \"{}\"` trusts it)", signed.fingerprint, signed.public_key)
        }
        Some(Err(error)) => format!("signature invalid: {error}"),
    }
}
