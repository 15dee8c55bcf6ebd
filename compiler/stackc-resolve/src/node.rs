//! Helpers over the KDL nodes of declarations: the name argument, properties checked against
//! the ones a node accepts, plain values, and the diagnostics every kind of declaration shares.
//!
//! A leaf: the declaration modules (`declarations`, `params`, `plugins`, `config`) import it,
//! and it imports none of them.

use stackc_diag::{Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use stackc_model::{Value, ValueKind};
use stackc_syntax::ast;

/// Converts a plain KDL value.
pub(crate) fn scalar(value: &ast::Value, span: Span) -> Value {
    let kind = match value {
        ast::Value::String(s) => ValueKind::String(s.clone()),
        // KDL integers are i128; configs never need more than i64, and a larger number is
        // more likely a typo than a wish, so it becomes a float the plugin will reject.
        ast::Value::Integer(i) => i64::try_from(*i).map_or(ValueKind::Float(*i as f64), ValueKind::Int),
        ast::Value::Float(f) => ValueKind::Float(*f),
        ast::Value::Bool(b) => ValueKind::Bool(*b),
        ast::Value::Null => ValueKind::Null,
    };
    Value::new(kind, span)
}

pub(crate) fn duplicate(kind: &str, name: &Spanned<String>, first: Span) -> Diagnostic {
    Diagnostic::error(
        match kind {
            "service" => "stackc::resolve::duplicate-service",
            "host" => "stackc::resolve::duplicate-host",
            _ => "stackc::resolve::duplicate",
        },
        format!("{kind} `{}` is declared twice", name.value),
    )
    .at(name.span, "declared again here")
    .with_secondary(first, "first declared here")
    .with_help(format!("{kind} names must be unique within a stack; rename one"))
}

/// The name argument of a declaration: `service "web" …`.
pub(crate) fn name_arg(node: &ast::Node, kind: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<String>> {
    let keyword = node.name().span();
    let mut args = node.entries().iter().filter(|e| e.name().is_none());
    let Some(first) = args.next() else {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::name", format!("`{kind}` needs a name"))
                .at(keyword, "no name")
                .with_help(format!("write `{kind} \"name\" …`")),
        );
        return None;
    };
    let span = first.span();
    if let Some(extra) = args.next() {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::name", format!("`{kind}` takes one name"))
                .at(extra.span(), "unexpected argument")
                .with_help("settings go in properties (`key=value`) or children"),
        );
    }
    match first.value() {
        ast::Value::String(name) if first.ty().is_none() => {
            check_identifier(name, span, kind, diagnostics).then(|| Spanned::new(name.clone(), span))
        }
        _ => {
            diagnostics.push(
                Diagnostic::error("stackc::resolve::name", format!("the name of a `{kind}` must be a string"))
                    .at(span, "expected a string")
                    .with_help(format!("write `{kind} \"name\" …`")),
            );
            None
        }
    }
}

/// Names become file and directory names in the bundle, so they are restricted.
pub(crate) fn check_identifier(name: &str, span: Span, kind: &str, diagnostics: &mut Diagnostics) -> bool {
    let ok = name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && name.len() <= 63;
    if !ok {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::name", format!("`{name}` is not a valid {kind} name"))
                .at(span, "invalid name")
                .with_help(
                    "names use letters, digits, `-`, `_` and `.`, start with a letter or digit, at most 63 long",
                ),
        );
    }
    ok
}

pub(crate) fn check_children(node: &ast::Node, diagnostics: &mut Diagnostics) {
    if let Some(children) = node.children().filter(|c| !c.nodes().is_empty()) {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::children", format!("`{}` takes no children", node.name().value()))
                .at(children.span(), "unexpected block")
                .with_help("use properties: `key=value`"),
        );
    }
}

/// The properties of a declaration node, checked against the ones it accepts.
pub(crate) struct NodeProps<'a> {
    entries: Vec<&'a ast::Entry>,
}

impl<'a> NodeProps<'a> {
    pub(crate) fn new(node: &'a ast::Node, allowed: &[&str], diagnostics: &mut Diagnostics) -> Self {
        let props = NodeProps::lenient(node);
        for entry in &props.entries {
            let key = entry.name().map(|n| n.value()).unwrap_or_default();
            if !allowed.contains(&key) {
                let help = did_you_mean(key, allowed.iter().copied())
                    .unwrap_or_else(|| format!("`{}` accepts: {}", node.name().value(), allowed.join(", ")));
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::resolve::unknown-property",
                        format!("unknown property `{key}` on `{}`", node.name().value()),
                    )
                    .at(entry.span(), "unknown property")
                    .with_help(help),
                );
            }
        }
        props
    }

    /// Properties without checking which exist (services pass the rest on as config).
    pub(crate) fn lenient(node: &'a ast::Node) -> Self {
        let entries = node.entries().iter().filter(|e| e.name().is_some()).collect();
        NodeProps { entries }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a ast::Entry> {
        // KDL 2: the rightmost property of a name wins.
        self.entries.iter().rev().find(|e| e.name().is_some_and(|n| n.value() == key)).copied()
    }

    pub(crate) fn string(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<Spanned<String>> {
        let entry = self.get(key)?;
        let span = entry.span();
        match entry.value() {
            ast::Value::String(s) if entry.ty().is_none() => Some(Spanned::new(s.clone(), span)),
            _ => {
                diagnostics.push(
                    Diagnostic::error("stackc::resolve::property-type", format!("`{key}` must be a string"))
                        .at(span, "expected a string"),
                );
                None
            }
        }
    }

    pub(crate) fn bool(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<bool> {
        let entry = self.get(key)?;
        match entry.value() {
            ast::Value::Bool(b) if entry.ty().is_none() => Some(*b),
            _ => {
                diagnostics.push(
                    Diagnostic::error("stackc::resolve::property-type", format!("`{key}` must be `#true` or `#false`"))
                        .at(entry.span(), "expected a boolean"),
                );
                None
            }
        }
    }

    pub(crate) fn int(&self, key: &str, diagnostics: &mut Diagnostics) -> Option<i64> {
        let entry = self.get(key)?;
        match entry.value() {
            ast::Value::Integer(i) => i64::try_from(*i).ok(),
            _ => {
                diagnostics.push(
                    Diagnostic::error("stackc::resolve::property-type", format!("`{key}` must be an integer"))
                        .at(entry.span(), "expected an integer"),
                );
                None
            }
        }
    }
}
