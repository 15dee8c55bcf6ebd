//! The tree of a stack file: KDL's documents, nodes, entries and values, each with the
//! [`Span`] of its source, and nothing else.
//!
//! `kdl`'s own tree also keeps every token's formatting so that a document can be written back
//! as it was read; stackc never writes KDL, and that formatting made a parsed file some forty
//! times its size in memory (a 1.3 MB stack of 5,000 services took 50 MB). This tree keeps
//! what the resolver reads: a few hundred bytes per node.
//!
//! The spans are those `kdl`'s parser gives (see `fast.rs`), so diagnostics point at the same
//! text whichever parser read the file.

use std::fmt;

use stackc_diag::Span;

/// A file, or the children block of a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub span: Span,
}

/// `(type)? name entry* { children }?`
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Boxed: type annotations on nodes are rare, and most nodes are small.
    pub ty: Option<Box<Ident>>,
    pub name: Ident,
    pub entries: Vec<Entry>,
    pub children: Option<Document>,
    pub span: Span,
}

/// A node name, property key or type name.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub value: String,
    pub span: Span,
}

/// An argument (`value`) or a property (`name=value`), either with a type annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: Option<Ident>,
    pub ty: Option<Box<Ident>>,
    pub value: Value,
    pub span: Span,
}

/// A KDL value. Integers are `i128`, as KDL's grammar allows and `kdl` reads them.
#[derive(Debug, Clone)]
pub enum Value {
    String(String),
    Integer(i128),
    Float(f64),
    Bool(bool),
    Null,
}

impl Document {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// From the start of the first node to the end of the last; with no nodes, the empty
    /// span where the block's `}` (or the end of the file) is.
    pub fn span(&self) -> Span {
        self.span
    }
}

impl Node {
    pub fn name(&self) -> &Ident {
        &self.name
    }

    pub fn ty(&self) -> Option<&Ident> {
        self.ty.as_deref()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn children(&self) -> Option<&Document> {
        self.children.as_ref()
    }

    /// From the type annotation (or name) to the end of the last entry, name or children
    /// block.
    pub fn span(&self) -> Span {
        self.span
    }
}

impl Ident {
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The token, quotes included (a type's parentheses are not part of its name).
    pub fn span(&self) -> Span {
        self.span
    }
}

impl Entry {
    /// The key of a property; `None` for an argument.
    pub fn name(&self) -> Option<&Ident> {
        self.name.as_ref()
    }

    pub fn ty(&self) -> Option<&Ident> {
        self.ty.as_deref()
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// From the type annotation, key or value to the end of the value.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// Floats compare bit for bit, so that `-0.0` differs from `0.0` and the differential tests
/// see every difference between the two parsers.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Null, Value::Null) => true,
            _ => false,
        }
    }
}

/// As KDL writes the value: `"text"`, `42`, `1.5`, `#true`, `#null`, `#inf`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{s:?}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Float(x) if x.is_nan() => f.write_str("#nan"),
            Value::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "#inf" } else { "#-inf" }),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "#{b}"),
            Value::Null => f.write_str("#null"),
        }
    }
}
