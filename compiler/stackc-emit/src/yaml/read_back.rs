//! Written YAML read back by an independent parser (saphyr, YAML 1.2), so tests can compare
//! it with the value that produced it.

use saphyr::{LoadableYamlNode, Scalar as Parsed, Yaml as Node};

use super::{Scalar, Yaml};

/// What a YAML text means, without its layout or scalar styles.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Data>),
    /// Entries in document order.
    Map(Vec<(Data, Data)>),
    /// Anything the writer never means to produce (floats, tags, aliases), as the parser saw it.
    Other(String),
}

/// What `value` means.
pub(crate) fn data(value: &Yaml) -> Data {
    match value {
        Yaml::Scalar(scalar) => scalar_data(scalar),
        Yaml::Seq(seq) => Data::Seq(seq.items.iter().map(data).collect()),
        Yaml::Map(map) => Data::Map(map.entries.iter().map(|(k, v)| (scalar_data(k), data(v))).collect()),
    }
}

fn scalar_data(scalar: &Scalar) -> Data {
    match scalar {
        Scalar::Plain(text) | Scalar::Quoted(text) => Data::Str(text.to_string()),
        Scalar::Bool(value) => Data::Bool(*value),
        Scalar::Int(value) => Data::Int(*value),
    }
}

/// What the one document in `text` means; panics when `text` is not exactly one YAML document.
pub(crate) fn parse(text: &str) -> Data {
    let documents = Node::load_from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
    assert_eq!(documents.len(), 1, "expected one document:\n{text}");
    node_data(&documents[0])
}

fn node_data(node: &Node<'_>) -> Data {
    match node {
        Node::Value(Parsed::Null) => Data::Null,
        Node::Value(Parsed::Boolean(value)) => Data::Bool(*value),
        Node::Value(Parsed::Integer(value)) => Data::Int(*value),
        Node::Value(Parsed::String(text)) => Data::Str(text.to_string()),
        Node::Sequence(items) => Data::Seq(items.iter().map(node_data).collect()),
        Node::Mapping(entries) => Data::Map(entries.iter().map(|(k, v)| (node_data(k), node_data(v))).collect()),
        other => Data::Other(format!("{other:?}")),
    }
}

/// Asserts that `text` (what [`super::write`] made of `value`, maybe after comments) reads
/// back as `value`.
#[track_caller]
pub(crate) fn assert_reads_back(text: &str, value: &Yaml) {
    assert_eq!(parse(text), data(value), "the YAML does not read back as its value:\n{text}");
}
