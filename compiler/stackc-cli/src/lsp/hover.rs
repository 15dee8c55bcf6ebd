//! Hover: a config key's type and documentation from its plugin's schema; what a `(ref)`, a
//! `(param)` or a `plugin=` names.

use std::ops::Range;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use stackc_model::{Exports, Param, Placement, Value, ValueKind};

use crate::lsp::cursor::{self, On, SERVICE_PROPERTIES};
use crate::lsp::outline::{Entry, Node};
use crate::lsp::query::{ParamSource, Query};

pub fn hover(query: &Query<'_>) -> Option<Hover> {
    let cursor = query.cursor();
    let (markdown, span) = match cursor.on {
        On::Name(node) => {
            let path = cursor::config_path(&cursor.blocks)?;
            (config_key(query, &path, &node.name.text)?, node.name.span.clone())
        }
        On::Key(node, entry) if is_config_owner(node) => {
            let key = entry.key.as_ref()?;
            if SERVICE_PROPERTIES.contains(&key.text.as_str()) {
                return None;
            }
            let mut blocks = cursor.blocks.clone();
            blocks.push(node);
            (config_key(query, &cursor::config_path(&blocks)?, &key.text)?, key.span.clone())
        }
        On::Value(node, entry) => (value(query, &cursor.blocks, node, entry)?, entry.value.span.clone()),
        _ => return None,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(query.index.range(span.start, span.end)),
    })
}

fn is_config_owner(node: &Node) -> bool {
    node.is("service") || node.is("defaults")
}

fn value(query: &Query<'_>, blocks: &[&Node], node: &Node, entry: &Entry) -> Option<String> {
    match entry.ty.as_deref() {
        Some("ref") => reference(query, &entry.value.text),
        Some("param") => param(query, blocks, &entry.value.text),
        _ if is_config_owner(node) && entry.key.as_ref().is_some_and(|k| k.text == "plugin") => {
            let name = &entry.value.text;
            let info = query.plugins.get(name).map(|p| p.info().clone());
            let declared = query.model.is_some_and(|m| m.insight.declared_schemas.contains_key(name));
            match info {
                Some(info) => Some(format!("plugin `{name}` {} (built in)\n\n{}", info.version, info.summary)),
                None if declared => Some(format!("plugin `{name}`, declared by the stack")),
                None => None,
            }
        }
        _ => None,
    }
}

/// `**listen**: integer`, the key's documentation, and which plugin reads it.
fn config_key(query: &Query<'_>, path: &cursor::ConfigPath, key: &str) -> Option<String> {
    let schema = query.schema(&path.plugin)?;
    let block = schema.block(&path.steps)?;
    let key_schema = schema.key(block, key)?;
    let mut text = format!("**{key}**: {}", schema.describe_type(key_schema));
    if let Some(description) = schema.description(key_schema) {
        text.push_str("\n\n");
        text.push_str(description);
    }
    let mut keys: Vec<&str> = path.steps.iter().map(|s| s.key.as_str()).collect();
    keys.push(key);
    text.push_str(&format!("\n\n`{}` in the config of plugin `{}`", keys.join(" › "), path.plugin));
    Some(text)
}

/// The service a `(ref)"service.export"` names and what the export is.
fn reference(query: &Query<'_>, text: &str) -> Option<String> {
    let (name, export) = text.split_once('.').unwrap_or((text, ""));
    let (index, service) = query.service(name)?;
    let mut out = format!("service `{name}`: plugin `{}`, {}", service.plugin.value, placement(&service.placement));
    let exports = query.model.and_then(|m| m.insight.exports.get(index)).and_then(Option::as_ref);
    if let Some(exports) = exports {
        out.push_str("\n\n");
        out.push_str(&describe_export(name, exports, export));
    }
    Some(out)
}

fn placement(placement: &Placement) -> String {
    match placement {
        Placement::Cluster => "in the cluster".to_owned(),
        Placement::Host(host) => format!("on host `{}`", host.value),
        Placement::Group(group) => format!("on group `{}`", group.value),
        Placement::Compose(project) => format!("in the Compose project `{}`", project.value),
    }
}

fn describe_export(service: &str, exports: &Exports, export: &str) -> String {
    if let Some(endpoint) = exports.endpoint(export) {
        let mut text = format!(
            "endpoint `{export}`: port {}, {}, path `{}`, role {}",
            endpoint.port,
            endpoint.protocol,
            endpoint.path,
            endpoint.role.name()
        );
        if let Some(port) = &endpoint.in_cluster {
            text.push_str(&format!(", behind `{}` port `{}`", port.dns_name(), port.port_name));
        }
        return text;
    }
    if let Some(fact) = exports.facts.iter().find(|f| f.name == export) {
        return format!("fact `{export}` = `{}`", fact.value);
    }
    let names: Vec<String> = exports.names().map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        format!("service `{service}` exports nothing")
    } else {
        format!("service `{service}` has no export `{export}`; it exports {}", names.join(", "))
    }
}

/// The declaration a `(param)"name"` reads: a loop variable, a param of this file, or of the
/// stack (with the value in effect).
fn param(query: &Query<'_>, blocks: &[&Node], name: &str) -> Option<String> {
    let source = query.params_in_scope(blocks).into_iter().find(|p| p.name() == name)?;
    Some(match source {
        ParamSource::Loop(node, _) => {
            format!("loop variable `{name}`\n\n```kdl\n{}\n```", excerpt(query.text, &node.head))
        }
        ParamSource::Here(node, _) => {
            let mut text = format!("```kdl\n{}\n```", excerpt(query.text, &node.head));
            // A module's params share no values with the stack's: only a param of the stack
            // declared in this very file has one.
            let resolved = query.model.and_then(|m| {
                m.stack.params.iter().find(|p| {
                    p.name.value == name && m.paths.get(p.name.span.file.index()).is_some_and(|f| f == query.path)
                })
            });
            if let Some(param) = resolved {
                text.push_str(&format!("\n\nvalue: `{}`{}", show(&param.value), set_or_default(param)));
            }
            text
        }
        ParamSource::Stack(param) => {
            let mut text =
                format!("param `{name}`: {}, value `{}`{}", param.ty.name(), show(&param.value), set_or_default(param));
            if let (Some(min), Some(max)) = (param.min, param.max) {
                text.push_str(&format!(" (from {min} to {max})"));
            }
            if !param.choices.is_empty() {
                text.push_str(&format!(" (one of {})", param.choices.join(", ")));
            }
            if let Some(doc) = &param.doc {
                text.push_str("\n\n");
                text.push_str(doc);
            }
            text
        }
    })
}

fn set_or_default(param: &Param) -> &'static str {
    if param.overridden { " (set)" } else { "" }
}

fn excerpt<'t>(text: &'t str, range: &Range<usize>) -> &'t str {
    text.get(range.clone()).unwrap_or("")
}

/// A param's value as KDL would write it.
fn show(value: &Value) -> String {
    match &value.kind {
        ValueKind::Null => "#null".to_owned(),
        ValueKind::Bool(b) => format!("#{b}"),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => f.to_string(),
        ValueKind::String(s) => format!("{s:?}"),
        ValueKind::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        ValueKind::Map(map) => {
            let entries: Vec<String> = map.entries.iter().map(|(k, e)| format!("{k}: {}", show(&e.value))).collect();
            format!("{{{}}}", entries.join(", "))
        }
        ValueKind::Ref(_) | ValueKind::Secret(_) => value.type_name().to_owned(),
    }
}
