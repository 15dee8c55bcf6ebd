//! Config values: what a service node's properties and children mean.

use litemap::LiteMap;
use stackc_diag::{Span, Spanned};

/// A config value with the span of its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(Map),
    /// `(ref)"service.export"`: resolved to endpoints when the service is rendered. Boxed:
    /// references are rare, and every value would otherwise be as large as one.
    Ref(Box<Reference>),
    /// `(secret)"name"`: a declared secret, passed on by name, never by value.
    Secret(Spanned<String>),
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Self {
        Value { kind, span }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            ValueKind::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The kind's name for messages: "string", "int", …
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "bool",
            ValueKind::Int(_) => "int",
            ValueKind::Float(_) => "float",
            ValueKind::String(_) => "string",
            ValueKind::List(_) => "list",
            ValueKind::Map(_) => "map",
            ValueKind::Ref(_) => "reference",
            ValueKind::Secret(_) => "secret",
        }
    }

    /// Every reference inside this value, in key order.
    pub fn references(&self) -> Vec<&Reference> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references<'a>(&'a self, out: &mut Vec<&'a Reference>) {
        match &self.kind {
            ValueKind::Ref(r) => out.push(r),
            ValueKind::List(items) => items.iter().for_each(|v| v.collect_references(out)),
            ValueKind::Map(map) => map.entries.values().for_each(|e| e.value.collect_references(out)),
            _ => {}
        }
    }
}

/// A map of config keys, sorted by key.
///
/// A sorted vector, not a `BTreeMap`: most config maps have a handful of keys, and a B-tree
/// node holds room for eleven, which made config maps most of a large stack's memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    pub entries: LiteMap<String, Entry>,
}

/// One key of a [`Map`] with the span of the key (the node name or property name).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key_span: Span,
    pub value: Value,
}

/// A reference to another service's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub service: String,
    pub export: String,
    pub span: Span,
}
