//! Completion: plugin names in `plugin="…"`, config keys inside a service's block, service and
//! export names in `(ref)"…"`, param names in `(param)"…"`.

use std::ops::Range;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent, MarkupKind, TextEdit,
};

use crate::lsp::cursor::{self, On};
use crate::lsp::outline::{Entry, Node};
use crate::lsp::query::{ParamSource, Query};

/// Characters after which a client asks without being told: the quote that opens a name, and
/// the dot between a service and its export.
pub const TRIGGERS: [&str; 2] = ["\"", "."];

pub fn complete(query: &Query<'_>) -> Vec<CompletionItem> {
    let cursor = query.cursor();
    match cursor.on {
        On::Value(node, entry) => value(query, &cursor.blocks, node, entry).unwrap_or_default(),
        On::Name(node) => config_keys(query, &cursor.blocks, node.name.span.clone()),
        On::LineStart => config_keys(query, &cursor.blocks, query.offset..query.offset),
        On::Key(..) | On::Elsewhere => Vec::new(),
    }
}

fn value(query: &Query<'_>, blocks: &[&Node], node: &Node, entry: &Entry) -> Option<Vec<CompletionItem>> {
    let token = &entry.value;
    let quoted = query.text[token.span.clone()].starts_with('"');
    if quoted && !(token.inner.start..=token.inner.end).contains(&query.offset) {
        return None;
    }
    let is_plugin =
        entry.key.as_ref().is_some_and(|k| k.text == "plugin") && (node.is("service") || node.is("defaults"));
    if is_plugin {
        // `plugin=` with nothing after it yet: the quotes come with the name.
        let (range, quote) = if quoted { (token.inner.clone(), "") } else { (token.span.clone(), "\"") };
        return Some(plugin_names(query, range, quote));
    }
    if !quoted {
        return None;
    }
    match entry.ty.as_deref() {
        Some("ref") => Some(reference(query, token.inner.clone())),
        Some("param") => Some(params(query, blocks, token.inner.clone())),
        _ => None,
    }
}

fn plugin_names(query: &Query<'_>, range: Range<usize>, quote: &str) -> Vec<CompletionItem> {
    let mut names: Vec<(String, String)> = query
        .plugins
        .names()
        .into_iter()
        .map(|name| (name.to_owned(), query.plugins.get(name).map(|p| p.info().summary.clone()).unwrap_or_default()))
        .collect();
    if let Some(model) = query.model {
        names.extend(model.stack.plugins.iter().map(|p| (p.name.value.clone(), "declared by the stack".to_owned())));
    }
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    names
        .into_iter()
        .map(|(name, summary)| {
            let insert = format!("{quote}{name}{quote}");
            item(query, &name, CompletionItemKind::MODULE, Some(summary), None, range.clone(), insert)
        })
        .collect()
}

/// Service names before the dot, the service's exports after it.
fn reference(query: &Query<'_>, inner: Range<usize>) -> Vec<CompletionItem> {
    let typed = &query.text[inner.start..query.offset.min(inner.end)];
    let Some(model) = query.model else { return Vec::new() };
    match typed.split_once('.') {
        None => {
            let end = query.text[inner.clone()].find('.').map_or(inner.end, |dot| inner.start + dot);
            model
                .stack
                .services
                .iter()
                .map(|s| {
                    let detail = format!("plugin `{}`", s.plugin.value);
                    let name = s.name.value.clone();
                    item(query, &name, CompletionItemKind::CLASS, Some(detail), None, inner.start..end, name.clone())
                })
                .collect()
        }
        Some((service, _)) => {
            let start = inner.start + service.len() + 1;
            let Some((index, _)) = query.service(service) else { return Vec::new() };
            let Some(Some(exports)) = model.insight.exports.get(index) else { return Vec::new() };
            let endpoints =
                exports.endpoints.iter().map(|e| (e.name.clone(), format!("port {}, {}", e.port, e.protocol)));
            let facts = exports.facts.iter().map(|f| (f.name.clone(), format!("= {}", f.value)));
            endpoints
                .chain(facts)
                .map(|(name, detail)| {
                    item(query, &name, CompletionItemKind::FIELD, Some(detail), None, start..inner.end, name.clone())
                })
                .collect()
        }
    }
}

fn params(query: &Query<'_>, blocks: &[&Node], inner: Range<usize>) -> Vec<CompletionItem> {
    query
        .params_in_scope(blocks)
        .into_iter()
        .map(|source| {
            let name = source.name().to_owned();
            let (detail, doc) = match source {
                ParamSource::Loop(..) => ("loop variable".to_owned(), None),
                ParamSource::Here(node, _) => {
                    let ty = node.property("type").map_or("param".to_owned(), |t| t.value.text.clone());
                    (ty, node.property("doc").map(|d| d.value.text.clone()))
                }
                ParamSource::Stack(param) => (param.ty.name().to_owned(), param.doc.clone()),
            };
            item(query, &name, CompletionItemKind::VARIABLE, Some(detail), doc, inner.clone(), name.clone())
        })
        .collect()
}

/// The keys of the config block the cursor is in, replacing `range`.
fn config_keys(query: &Query<'_>, blocks: &[&Node], range: Range<usize>) -> Vec<CompletionItem> {
    let Some(path) = cursor::config_path(blocks) else { return Vec::new() };
    let Some(schema) = query.schema(&path.plugin) else { return Vec::new() };
    let Some(block) = schema.block(&path.steps) else { return Vec::new() };
    schema
        .keys(block)
        .into_iter()
        .map(|key| {
            let detail = schema.describe_type(key.schema);
            let doc = schema.description(key.schema).map(str::to_owned);
            item(query, key.name, CompletionItemKind::PROPERTY, Some(detail), doc, range.clone(), key.name.to_owned())
        })
        .collect()
}

fn item(
    query: &Query<'_>,
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    documentation: Option<String>,
    range: Range<usize>,
    new_text: String,
) -> CompletionItem {
    let range = query.index.range(range.start, range.end);
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail,
        documentation: documentation
            .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text })),
        ..CompletionItem::default()
    }
}
