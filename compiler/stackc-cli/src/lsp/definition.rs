//! Go to definition: the service a `(ref)` names, the declaration a `(param)` reads, the file
//! an `include` or `module … path=` reads.

use lsp_types::{Location, Range};

use crate::loader::name_of;
use crate::lsp::cursor::On;
use crate::lsp::documents::key;
use crate::lsp::outline::{Entry, Node};
use crate::lsp::query::{ParamSource, Query};

pub fn definition(query: &Query<'_>) -> Option<Location> {
    let cursor = query.cursor();
    let On::Value(node, entry) = cursor.on else { return None };
    match entry.ty.as_deref() {
        Some("ref") => {
            let name = entry.value.text.split('.').next().unwrap_or_default();
            let (_, service) = query.service(name)?;
            query.model?.location(service.name.span, query.documents)
        }
        Some("param") => {
            let source = query.params_in_scope(&cursor.blocks).into_iter().find(|p| p.name() == entry.value.text)?;
            match source {
                ParamSource::Loop(_, name) | ParamSource::Here(_, name) => here(query, name),
                ParamSource::Stack(param) => query.model?.location(param.name.span, query.documents),
            }
        }
        _ if names_a_file(node, entry) => {
            let from = query.path.to_string_lossy();
            let target = key(&name_of(&entry.value.text, Some(&from)));
            if !target.is_file() {
                return None;
            }
            Some(Location::new(query.documents.uri(&target)?, Range::default()))
        }
        _ => None,
    }
}

/// `include "path"` or `module "name" path="path"`.
fn names_a_file(node: &Node, entry: &Entry) -> bool {
    match entry.key.as_ref() {
        None => node.is("include"),
        Some(key) => node.is("module") && key.text == "path",
    }
}

/// The location of a token of the document itself.
fn here(query: &Query<'_>, entry: &Entry) -> Option<Location> {
    let span = &entry.value.span;
    Some(Location::new(query.documents.uri(query.path)?, query.index.range(span.start, span.end)))
}
