//! `--values FILE`: param values kept in a file, one `name value` node each, applied in order
//! before `--set`, so that an environment's values live beside the stack
//! (`stackc build stack.kdl --values env/prod.kdl`).
//!
//! ```kdl
//! etcd_members 3                  // an int
//! domain "prod.example.org"       // a string
//! zones "a" "b"                   // a list
//! labels team="web" tier="front"  // a map
//! tls #true
//! ```

use stackc_diag::{Diagnostic, Diagnostics, Sources, Spanned};
use stackc_model::{Entry, Map, Value, ValueKind};
use stackc_syntax::ast;

use crate::load::{LoadError, SourceLoader};
use crate::node::scalar;
use crate::params::{Override, OverrideValue};

pub(crate) fn read(
    paths: &[String],
    loader: &dyn SourceLoader,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Vec<Override> {
    let mut overrides = Vec::new();
    for path in paths {
        let loaded = match loader.load(path, None) {
            Ok(loaded) => loaded,
            Err(LoadError(why)) => {
                diagnostics.push(
                    Diagnostic::error("stackc::values::unreadable", format!("cannot read `{path}`: {why}"))
                        .with_help("`--values` names a KDL file of `name value` lines"),
                );
                continue;
            }
        };
        let file = sources.add(loaded.name, loaded.text);
        let parsed = stackc_syntax::parse(file, &sources.get(file).text);
        diagnostics.extend(parsed.diagnostics);
        for node in parsed.document.iter().flat_map(|d| d.nodes()) {
            if let Some(value) = value(node, diagnostics) {
                let name = Spanned::new(node.name().value().to_owned(), node.name().span());
                overrides.push(Override { name, value: OverrideValue::Value(value) });
            }
        }
    }
    overrides
}

/// One argument: the value; several: a list; properties: a map.
fn value(node: &ast::Node, diagnostics: &mut Diagnostics) -> Option<Value> {
    let refuse = |at, label: &str, diagnostics: &mut Diagnostics| {
        diagnostics.push(
            Diagnostic::error("stackc::values::syntax", format!("`{}` is not `name value`", node.name().value()))
                .at(at, label.to_owned())
                .with_help("write `name value`, `name \"a\" \"b\"` for a list, or `name key=\"value\"` for a map"),
        );
        None
    };
    if let Some(block) = node.children() {
        return refuse(block.span(), "values take no block", diagnostics);
    }
    if let Some(annotated) = node.entries().iter().find(|e| e.ty().is_some()) {
        return refuse(annotated.span(), "values are literal", diagnostics);
    }
    let arguments: Vec<&ast::Entry> = node.entries().iter().filter(|e| e.name().is_none()).collect();
    let properties: Vec<&ast::Entry> = node.entries().iter().filter(|e| e.name().is_some()).collect();
    let span = node.span();
    match (arguments.as_slice(), properties.is_empty()) {
        ([one], true) => Some(scalar(one.value(), one.span())),
        ([], true) => refuse(node.name().span(), "no value", diagnostics),
        (many, true) => {
            let items = many.iter().map(|e| scalar(e.value(), e.span())).collect();
            Some(Value::new(ValueKind::List(items), span))
        }
        ([], false) => {
            let mut map = Map::default();
            for entry in properties {
                let key = entry.name()?;
                map.entries.insert(
                    key.value().to_owned(),
                    Entry { key_span: key.span(), value: scalar(entry.value(), entry.span()) },
                );
            }
            Some(Value::new(ValueKind::Map(map), span))
        }
        _ => refuse(span, "both values and `key=value` pairs", diagnostics),
    }
}
