//! Service configs: from KDL nodes to [`Value`] trees.
//!
//! The mapping is fixed so that plugin authors can predict the data their `Deserialize`
//! struct receives:
//!
//! | KDL                                  | value                                 |
//! |--------------------------------------|---------------------------------------|
//! | `listen 443`                         | `443`                                 |
//! | `http2` (no arguments)               | `true`                                |
//! | `index "index.html" "index.htm"`     | `["index.html", "index.htm"]`         |
//! | `tls { cert "/a"; key "/b" }`        | `{cert: "/a", key: "/b"}`             |
//! | `location "/api" { proxy-pass … }`   | `{"/api": {proxy-pass: …}}` (keyed)   |
//! | a node repeated                      | keyed maps merge; anything else lists |
//! | `(param)"n"` / `(secret)"s"` / `(ref)"svc.export"` | the param's value / secret / reference |
//! | `(file)"page.html"` / `(file)"site"`  | the file's text / `{path: text}` of a directory |

use stackc_diag::{Diagnostic, Diagnostics, Span, Spanned, did_you_mean};
use stackc_model::{Entry, Map, Param, Reference, Secret, Value, ValueKind};
use stackc_syntax::ast;

use crate::node::scalar;
use crate::params;

/// Names a config may refer to.
pub(crate) struct Scope<'a> {
    pub(crate) params: &'a [Param],
    /// Params whose default was rejected: already reported, so uses stay quiet.
    pub(crate) broken_params: &'a [&'a str],
    pub(crate) secrets: &'a [Secret],
    pub(crate) services: &'a std::collections::BTreeSet<&'a str>,
    pub(crate) files: &'a crate::files::FileReader<'a>,
}

/// Builds the config map of a service node from its properties (except `reserved` ones) and
/// children.
pub(crate) fn lower_service(
    node: &ast::Node,
    reserved: &[&str],
    scope: &Scope<'_>,
    diagnostics: &mut Diagnostics,
) -> Value {
    let span = node.span();
    let mut lowering = Lowering { scope, diagnostics };
    let map = lowering.map(node, reserved);
    Value::new(ValueKind::Map(map), span)
}

/// `defaults plugin="k8s" { namespace "prod" }`: config keys every service of a plugin gets
/// unless it sets them itself, by plugin name. Several blocks for one plugin add up; a key set
/// twice is an error.
pub(crate) fn defaults(
    nodes: &[&ast::Node],
    plugins: &[&str],
    scope: &Scope<'_>,
    diagnostics: &mut Diagnostics,
) -> std::collections::BTreeMap<String, Map> {
    let mut by_plugin: std::collections::BTreeMap<String, Map> = std::collections::BTreeMap::new();
    for &node in nodes {
        let props = crate::node::NodeProps::lenient(node);
        let Some(plugin) = props.string("plugin", diagnostics) else {
            if props.get("plugin").is_none() {
                diagnostics.push(
                    Diagnostic::error("stackc::defaults::plugin", "`defaults` names no plugin")
                        .at(node.name().span(), "missing `plugin=`")
                        .with_help("write `defaults plugin=\"k8s\" { namespace \"prod\" }`"),
                );
            }
            continue;
        };
        if !plugins.contains(&plugin.value.as_str()) {
            diagnostics.push(
                Diagnostic::error("stackc::resolve::unknown-plugin", format!("unknown plugin `{}`", plugin.value))
                    .at(plugin.span, "no such plugin")
                    .with_help(crate::plugins::unknown_plugin_help(&plugin.value, plugins)),
            );
            continue;
        }
        let mut lowering = Lowering { scope, diagnostics };
        let block = lowering.map(node, &["plugin"]);
        let merged = by_plugin.entry(plugin.value).or_default();
        for (key, entry) in block.entries {
            lowering.insert(merged, &key, entry.key_span, entry.value);
        }
    }
    by_plugin
}

/// Config keys whose literal string value is almost certainly a credential.
fn looks_like_credential(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace('_', "-");
    ["password", "passwd", "token", "api-key", "secret", "private-key"]
        .iter()
        .any(|word| key == *word || key.ends_with(&format!("-{word}")))
}

struct Lowering<'a, 'd> {
    scope: &'a Scope<'a>,
    diagnostics: &'d mut Diagnostics,
}

impl Lowering<'_, '_> {
    /// The map of a node's properties and children.
    fn map(&mut self, node: &ast::Node, reserved: &[&str]) -> Map {
        let mut map = Map::default();
        for entry in node.entries() {
            let Some(name) = entry.name() else { continue };
            if reserved.contains(&name.value()) {
                continue;
            }
            let key_span = name.span();
            if let Some(value) = self.entry(entry) {
                self.insert(&mut map, name.value(), key_span, value);
            }
        }
        let Some(children) = node.children() else { return map };
        // Group repeated children by name, keeping first-appearance order.
        let mut groups: Vec<(&str, Vec<&ast::Node>)> = Vec::new();
        for child in children.nodes() {
            let name = child.name().value();
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, nodes)) => nodes.push(child),
                None => groups.push((name, vec![child])),
            }
        }
        for (name, nodes) in groups {
            let key_span = nodes[0].name().span();
            let values: Vec<(Value, bool)> = nodes.iter().filter_map(|n| self.node(n)).collect();
            if values.len() != nodes.len() {
                continue; // Errors already reported.
            }
            let value = if values.len() == 1 {
                values.into_iter().next().map(|(v, _)| v)
            } else if values.iter().all(|(_, keyed)| *keyed) {
                self.merge_keyed(values.into_iter().map(|(v, _)| v))
            } else {
                let span = values[0].0.span.join(values[values.len() - 1].0.span);
                Some(Value::new(ValueKind::List(values.into_iter().map(|(v, _)| v).collect()), span))
            };
            if let Some(value) = value {
                self.insert(&mut map, name, key_span, value);
            }
        }
        map
    }

    fn insert(&mut self, map: &mut Map, key: &str, key_span: Span, value: Value) {
        if let ValueKind::String(_) = value.kind
            && looks_like_credential(key)
        {
            self.diagnostics.push(
                Diagnostic::error(
                    "stackc::secret::literal",
                    format!("`{key}` looks like a credential but is a literal string"),
                )
                .at(value.span, "secret value written in the stack")
                .with_help(format!(
                    "declare `secret \"{key}\" vault=\"vault_{}\"` and write `{key} (secret)\"{key}\"`",
                    key.replace('-', "_")
                )),
            );
            return;
        }
        if let Some(first) = map.entries.get(key) {
            self.diagnostics.push(
                Diagnostic::error("stackc::config::duplicate-key", format!("`{key}` is set twice"))
                    .at(key_span, "set again here")
                    .with_secondary(first.key_span, "first set here")
                    .with_help("remove one of them"),
            );
            return;
        }
        map.entries.insert(key.to_owned(), Entry { key_span, value });
    }

    /// Merges keyed nodes (`location "/a" {…}` `location "/b" {…}`) into one map.
    fn merge_keyed(&mut self, values: impl Iterator<Item = Value>) -> Option<Value> {
        let mut merged = Map::default();
        let mut span: Option<Span> = None;
        for value in values {
            span = Some(span.map_or(value.span, |s| s.join(value.span)));
            if let ValueKind::Map(map) = value.kind {
                for (key, entry) in map.entries {
                    self.insert(&mut merged, &key, entry.key_span, entry.value);
                }
            }
        }
        span.map(|span| Value::new(ValueKind::Map(merged), span))
    }

    /// A child node's value, and whether it is keyed (`name "key" { … }`).
    fn node(&mut self, node: &ast::Node) -> Option<(Value, bool)> {
        let span = node.span();
        let args: Vec<&ast::Entry> = node.entries().iter().filter(|e| e.name().is_none()).collect();
        let has_props = node.entries().iter().any(|e| e.name().is_some());
        let has_children = node.children().is_some();
        if !has_props && !has_children {
            return match args.as_slice() {
                [] => Some((Value::new(ValueKind::Bool(true), span), false)),
                [one] => self.entry(one).map(|v| (v, false)),
                many => {
                    let items: Option<Vec<Value>> = many.iter().map(|e| self.entry(e)).collect();
                    items.map(|items| (Value::new(ValueKind::List(items), span), false))
                }
            };
        }
        let map = self.map(node, &[]);
        match args.as_slice() {
            [] => Some((Value::new(ValueKind::Map(map), span), false)),
            [key] => match key.value() {
                ast::Value::String(key_text) if key.ty().is_none() => {
                    let mut keyed = Map::default();
                    let key_span = key.span();
                    keyed
                        .entries
                        .insert(key_text.clone(), Entry { key_span, value: Value::new(ValueKind::Map(map), span) });
                    Some((Value::new(ValueKind::Map(keyed), span), true))
                }
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "stackc::config::shape",
                            format!("the key of `{}` must be a plain string", node.name().value()),
                        )
                        .at(key.span(), "expected a string")
                        .with_help(format!("write `{} \"name\" {{ … }}`", node.name().value())),
                    );
                    None
                }
            },
            [_, second, ..] => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "stackc::config::shape",
                        format!("`{}` has children or properties and more than one argument", node.name().value()),
                    )
                    .at(second.span(), "unexpected argument")
                    .with_help("a node with children takes at most one argument, its key"),
                );
                None
            }
        }
    }

    /// An argument or property value, resolving `(param)`, `(secret)` and `(ref)`.
    fn entry(&mut self, entry: &ast::Entry) -> Option<Value> {
        let span = entry.span();
        let Some(ty) = entry.ty() else { return Some(scalar(entry.value(), span)) };
        let target = match entry.value() {
            ast::Value::String(s) => s.as_str(),
            other => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::config::annotation", format!("`({})` takes a name", ty.value()))
                        .at(span, format!("expected a string, found `{other}`"))
                        .with_help(format!("write `({})\"name\"`", ty.value())),
                );
                return None;
            }
        };
        match ty.value() {
            "param" => match params::lookup(self.scope.params, entry.value()) {
                Ok(param) => {
                    if matches!(param.value.kind, ValueKind::Null) {
                        if self.scope.broken_params.contains(&target) {
                            return None;
                        }
                        self.diagnostics.push(params::unset(target, span, param));
                        return None;
                    }
                    Some(Value::new(param.value.kind.clone(), span))
                }
                Err(help) => {
                    self.diagnostics.push(
                        Diagnostic::error("stackc::param::unknown", format!("unknown param `{target}`"))
                            .at(span, "no such param")
                            .with_help(
                                help.unwrap_or_else(|| format!("declare it: `param \"{target}\" type=\"string\"`")),
                            ),
                    );
                    None
                }
            },
            "secret" => {
                if self.scope.secrets.iter().any(|s| s.name.value == target) {
                    Some(Value::new(ValueKind::Secret(Spanned::new(target.to_owned(), span)), span))
                } else {
                    let help = did_you_mean(target, self.scope.secrets.iter().map(|s| s.name.value.as_str()))
                        .unwrap_or_else(|| {
                            format!("declare it: `secret \"{target}\" vault=\"vault_{}\"`", target.replace('-', "_"))
                        });
                    self.diagnostics.push(
                        Diagnostic::error("stackc::secret::unknown", format!("unknown secret `{target}`"))
                            .at(span, "no such secret")
                            .with_help(help),
                    );
                    None
                }
            }
            "ref" => self.reference(target, span),
            "file" => self.scope.files.read(target, span, self.diagnostics),
            other => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::config::annotation", format!("unknown annotation `({other})`"))
                        .at(span, "unknown annotation")
                        .with_help(did_you_mean(other, ["param", "secret", "ref", "file", "fmt"]).unwrap_or_else(
                            || "annotations are `(param)`, `(secret)`, `(ref)`, `(file)` and `(fmt)`".to_owned(),
                        )),
                );
                None
            }
        }
    }

    fn reference(&mut self, target: &str, span: Span) -> Option<Value> {
        let Some((service, export)) = target.split_once('.').filter(|(s, e)| !s.is_empty() && !e.is_empty()) else {
            self.diagnostics.push(
                Diagnostic::error("stackc::ref::syntax", format!("reference `{target}` is not `service.export`"))
                    .at(span, "expected `service.export`")
                    .with_help("write e.g. `(ref)\"web.http\"`"),
            );
            return None;
        };
        if !self.scope.services.contains(service) {
            let help = did_you_mean(service, self.scope.services.iter().copied())
                .unwrap_or_else(|| "references name a service declared in the stack".to_owned());
            self.diagnostics.push(
                Diagnostic::error("stackc::ref::dangling", format!("reference to unknown service `{service}`"))
                    .at(span, "no such service")
                    .with_help(help),
            );
            return None;
        }
        let reference = Reference { service: service.to_owned(), export: export.to_owned(), span };
        Some(Value::new(ValueKind::Ref(Box::new(reference)), span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys() {
        for key in ["password", "db-password", "api-key", "token", "client_secret", "private-key"] {
            assert!(looks_like_credential(key), "{key}");
        }
        for key in ["key", "tokens-per-second", "password-file-path", "keepalive"] {
            assert!(!looks_like_credential(key), "{key}");
        }
    }
}
