//! `kdl`'s tree, as read by its own parser, turned into ours: the reference the fast path is
//! tested against, and the tree of the files the fast path leaves to `kdl`.

use kdl::{KdlDocument, KdlEntry, KdlIdentifier, KdlNode, KdlValue};
use stackc_diag::FileId;

use crate::ast::{Document, Entry, Ident, Node, Value};
use crate::span;

pub(crate) fn document(file: FileId, document: &KdlDocument) -> Document {
    Document { nodes: document.nodes().iter().map(|n| node(file, n)).collect(), span: span(file, document.span()) }
}

fn node(file: FileId, node: &KdlNode) -> Node {
    Node {
        ty: node.ty().map(|t| Box::new(ident(file, t))),
        name: ident(file, node.name()),
        entries: node.entries().iter().map(|e| entry(file, e)).collect(),
        children: node.children().map(|c| document(file, c)),
        span: span(file, node.span()),
    }
}

fn entry(file: FileId, entry: &KdlEntry) -> Entry {
    Entry {
        name: entry.name().map(|n| ident(file, n)),
        ty: entry.ty().map(|t| Box::new(ident(file, t))),
        value: value(entry.value()),
        span: span(file, entry.span()),
    }
}

fn ident(file: FileId, ident: &KdlIdentifier) -> Ident {
    Ident { value: ident.value().to_owned(), span: span(file, ident.span()) }
}

fn value(value: &KdlValue) -> Value {
    match value {
        KdlValue::String(s) => Value::String(s.clone()),
        KdlValue::Integer(i) => Value::Integer(*i),
        KdlValue::Float(f) => Value::Float(*f),
        KdlValue::Bool(b) => Value::Bool(*b),
        KdlValue::Null => Value::Null,
    }
}
