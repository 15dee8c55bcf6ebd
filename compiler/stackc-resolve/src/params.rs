//! `param` declarations and their `--set` overrides.

use stackc_diag::{Diagnostic, Diagnostics, Sources, Span, Spanned, did_you_mean};
use stackc_model::{Entry, Item, Map, Param, ParamType, Value, ValueKind};
use stackc_syntax::ast;

use crate::node::{NodeProps, name_arg, scalar};

/// One `--set name=value` from the command line, with spans into a pseudo source file that
/// holds the command line, so that diagnostics can point at the exact override; or one line of
/// a `--values` file.
#[derive(Debug, Clone)]
pub struct Override {
    pub name: Spanned<String>,
    pub value: OverrideValue,
}

#[derive(Debug, Clone)]
pub enum OverrideValue {
    /// As written after `--set name=`, read as the param's type.
    Text(Spanned<String>),
    /// A typed value from a `--values` file.
    Value(Value),
}

impl OverrideValue {
    fn span(&self) -> Span {
        match self {
            OverrideValue::Text(text) => text.span,
            OverrideValue::Value(value) => value.span,
        }
    }
}

/// The name diagnostics give the command line.
const COMMAND_LINE: &str = "<command line>";

pub(crate) fn parse_overrides(raw: &[String], sources: &mut Sources, diagnostics: &mut Diagnostics) -> Vec<Override> {
    if raw.is_empty() {
        return Vec::new();
    }
    let mut text = String::new();
    let mut offsets = Vec::new();
    for arg in raw {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str("--set ");
        offsets.push(text.len());
        text.push_str(arg);
    }
    let file = sources.add(COMMAND_LINE, text);
    let mut overrides = Vec::new();
    for (arg, start) in raw.iter().zip(offsets) {
        let whole = Span::new(file, start, start + arg.len());
        let Some((name, value)) = arg.split_once('=') else {
            diagnostics.push(
                Diagnostic::error("stackc::param::set-syntax", format!("`--set {arg}` has no value"))
                    .at(whole, "expected `name=value`")
                    .with_help(format!("write `--set {arg}=VALUE`")),
            );
            continue;
        };
        let name_span = Span::new(file, start, start + name.len());
        let value_start = start + name.len() + 1;
        overrides.push(Override {
            name: Spanned::new(name.trim().to_owned(), name_span),
            value: OverrideValue::Text(Spanned::new(
                value.to_owned(),
                Span::new(file, value_start, value_start + value.len()),
            )),
        });
    }
    overrides
}

/// Resolved params, and the names of those whose default was rejected (already reported, so
/// their uses stay quiet).
pub(crate) struct Params {
    pub(crate) params: Vec<Param>,
    pub(crate) broken: Vec<String>,
}

/// Resolves every `param` node, applying overrides, and reports overrides of unknown params.
pub(crate) fn resolve_params(nodes: &[&ast::Node], overrides: &[Override], diagnostics: &mut Diagnostics) -> Params {
    let mut params: Vec<Param> = Vec::new();
    let mut broken = Vec::new();
    for &node in nodes {
        let Some((param, default_ok)) = declare(node, diagnostics) else { continue };
        if !default_ok {
            broken.push(param.name.value.clone());
        }
        if let Some(first) = params.iter().find(|p| p.name.value == param.name.value) {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::param::duplicate",
                    format!("param `{}` is declared twice", param.name.value),
                )
                .at(param.name.span, "declared again here")
                .with_secondary(first.name.span, "first declared here")
                .with_help("remove one of the declarations"),
            );
            continue;
        }
        params.push(param);
    }

    for o in overrides {
        let Some(param) = params.iter_mut().find(|p| p.name.value == o.name.value) else {
            let names: Vec<&str> = params.iter().map(|p| p.name.value.as_str()).collect();
            let help = did_you_mean(&o.name.value, names.iter().copied()).unwrap_or_else(|| {
                if names.is_empty() {
                    "this stack declares no params".to_owned()
                } else {
                    format!("the stack's params are: {}", names.join(", "))
                }
            });
            diagnostics.push(
                Diagnostic::error(
                    "stackc::param::unknown",
                    match o.value {
                        OverrideValue::Text(_) => format!("`--set` of unknown param `{}`", o.name.value),
                        OverrideValue::Value(_) => format!("`--values` sets unknown param `{}`", o.name.value),
                    },
                )
                .at(o.name.span, "no such param")
                .with_help(help),
            );
            continue;
        };
        let value = match &o.value {
            OverrideValue::Text(text) => parse_typed(param, &text.value, text.span),
            OverrideValue::Value(value) => check_value(param, value.clone()),
        };
        match value {
            Ok(value) => {
                param.value = value;
                param.overridden = true;
            }
            Err(why) => diagnostics.push(
                Diagnostic::error(
                    "stackc::param::bad-value",
                    format!("invalid value for param `{}`: {why}", param.name.value),
                )
                .at(o.value.span(), format!("expected {}", describe_type(param)))
                .with_secondary(param.span, "param declared here"),
            ),
        }
    }
    Params { params, broken }
}

/// Reads one `param "name" type="int" default=3 min=1 max=9 doc="…"` node; lists, maps and
/// enums take their default and choices as children (`{ default "a" "b"; values … }`).
/// The flag is false when its default was rejected.
pub(crate) fn declare(node: &ast::Node, diagnostics: &mut Diagnostics) -> Option<(Param, bool)> {
    let span = node.span();
    let name = name_arg(node, "param", diagnostics)?;
    let props = NodeProps::new(node, &["type", "item", "default", "min", "max", "doc"], diagnostics);
    let ty = param_type(&name, &props, diagnostics)?;
    let min = props.int("min", diagnostics);
    let max = props.int("max", diagnostics);
    let doc = props.string("doc", diagnostics).map(|d| d.value);
    let mut param = Param {
        name,
        ty,
        value: Value::new(ValueKind::Null, span),
        overridden: false,
        min,
        max,
        choices: Vec::new(),
        doc,
        span,
    };
    let mut default = props.get("default").map(|entry| scalar(entry.value(), entry.span()));
    for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
        match (child.name().value(), ty) {
            ("values", ParamType::Enum) => {
                for entry in child.entries() {
                    match entry.value() {
                        ast::Value::String(choice) if entry.name().is_none() => param.choices.push(choice.clone()),
                        _ => diagnostics.push(
                            Diagnostic::error("stackc::param::values", "`values` lists the strings an enum takes")
                                .at(entry.span(), "expected a string"),
                        ),
                    }
                }
            }
            ("default", ParamType::List(_) | ParamType::Map) if default.is_none() => {
                default = Some(child_default(child, ty));
            }
            (other, _) => diagnostics.push(
                Diagnostic::error("stackc::param::child", format!("`{other}` does not belong in this param"))
                    .at(child.name().span(), "unexpected")
                    .with_help(match ty {
                        ParamType::Enum => "an enum takes `{ values \"a\" \"b\" }`",
                        ParamType::List(_) => "a list takes `{ default \"a\" \"b\" }`",
                        ParamType::Map => "a map takes `{ default key=\"value\" }`",
                        _ => "only lists, maps and enums take a block",
                    }),
            ),
        }
    }
    if ty == ParamType::Enum && param.choices.is_empty() {
        diagnostics.push(
            Diagnostic::error("stackc::param::values", format!("enum `{}` lists no values", param.name.value))
                .at(param.name.span, "no `values`")
                .with_help("add `{ values \"dev\" \"prod\" }`"),
        );
        return None;
    }
    let mut default_ok = true;
    // A param without default must be set on the command line; that is checked at use.
    if let Some(value) = default {
        let value_span = value.span;
        match check_value(&param, value) {
            Ok(value) => param.value = value,
            Err(why) => {
                default_ok = false;
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::param::bad-default",
                        format!("default of param `{}` does not fit: {why}", param.name.value),
                    )
                    .at(value_span, format!("expected {}", describe_type(&param))),
                );
            }
        }
    }
    Some((param, default_ok))
}

fn param_type(name: &Spanned<String>, props: &NodeProps<'_>, diagnostics: &mut Diagnostics) -> Option<ParamType> {
    let Some(ty) = props.string("type", diagnostics) else {
        if props.get("type").is_none() {
            diagnostics.push(
                Diagnostic::error("stackc::param::type", format!("param `{}` has no type", name.value))
                    .at(name.span, "missing `type=`")
                    .with_help("add `type=\"int\"` (or string, bool, version, duration, address, enum, list, map)"),
            );
        }
        return None;
    };
    let Some((_, found)) = ParamType::ALL.iter().find(|(n, _)| *n == ty.value) else {
        let help = did_you_mean(&ty.value, ParamType::ALL.iter().map(|(n, _)| *n)).unwrap_or_else(|| {
            "param types are string, int, bool, version, duration, address, enum, list and map".to_owned()
        });
        diagnostics.push(
            Diagnostic::error("stackc::param::type", format!("unknown param type `{}`", ty.value))
                .at(ty.span, "unknown type")
                .with_help(help),
        );
        return None;
    };
    let Some(item) = props.string("item", diagnostics) else { return Some(*found) };
    match (found, Item::ALL.iter().find(|(n, _)| *n == item.value)) {
        (ParamType::List(_), Some((_, item))) => Some(ParamType::List(*item)),
        (ParamType::List(_), None) => {
            diagnostics.push(
                Diagnostic::error("stackc::param::type", format!("unknown item type `{}`", item.value))
                    .at(item.span, "unknown type")
                    .with_help("list items are string, int or bool"),
            );
            None
        }
        _ => {
            diagnostics.push(
                Diagnostic::error("stackc::param::type", "`item=` is for lists")
                    .at(item.span, format!("`{}` is not a list", name.value)),
            );
            None
        }
    }
}

/// A list's or map's default: the arguments or properties of its `default` child.
fn child_default(child: &ast::Node, ty: ParamType) -> Value {
    let span = child.span();
    let kind = match ty {
        ParamType::Map => {
            let entries = child
                .entries()
                .iter()
                .filter_map(|e| {
                    let key = e.name()?;
                    Some((key.value().to_owned(), Entry { key_span: key.span(), value: scalar(e.value(), e.span()) }))
                })
                .collect();
            ValueKind::Map(Map { entries })
        }
        _ => ValueKind::List(child.entries().iter().map(|e| scalar(e.value(), e.span())).collect()),
    };
    Value::new(kind, span)
}

pub(crate) fn describe_type(param: &Param) -> String {
    match (param.ty, param.min, param.max) {
        (ParamType::Int, Some(min), Some(max)) => format!("an int from {min} to {max}"),
        (ParamType::Int, Some(min), None) => format!("an int of at least {min}"),
        (ParamType::Int, None, Some(max)) => format!("an int of at most {max}"),
        (ParamType::Int, None, None) => "an int".to_owned(),
        (ParamType::String, ..) => "a string".to_owned(),
        (ParamType::Bool, ..) => "`true` or `false`".to_owned(),
        (ParamType::Version, ..) => "a version such as `2.53.1`".to_owned(),
        (ParamType::Duration, ..) => "a duration such as `15s`, `1m30s` or `500ms`".to_owned(),
        (ParamType::Address, ..) => "an IP address or a DNS name".to_owned(),
        (ParamType::Enum, ..) => format!("one of {}", param.choices.join(", ")),
        (ParamType::List(item), ..) => format!("a list of {}s (`a,b,c` on the command line)", item.name()),
        (ParamType::Map, ..) => "`key=value` pairs (`a=1,b=2` on the command line)".to_owned(),
    }
}

/// Parses a `--set` value as the param's type: lists are comma-separated, maps are
/// comma-separated `key=value` pairs.
fn parse_typed(param: &Param, text: &str, span: Span) -> Result<Value, String> {
    let item = |text: &str, ty: Item| -> Result<ValueKind, String> {
        Ok(match ty {
            Item::String => ValueKind::String(text.to_owned()),
            Item::Int => ValueKind::Int(text.trim().parse().map_err(|_| format!("`{text}` is not an integer"))?),
            Item::Bool => match text.trim() {
                "true" => ValueKind::Bool(true),
                "false" => ValueKind::Bool(false),
                _ => return Err(format!("`{text}` is not `true` or `false`")),
            },
        })
    };
    let kind = match param.ty {
        ParamType::String | ParamType::Version | ParamType::Duration | ParamType::Enum | ParamType::Address => {
            ValueKind::String(text.to_owned())
        }
        ParamType::Int => item(text, Item::Int)?,
        ParamType::Bool => item(text, Item::Bool)?,
        ParamType::List(ty) => ValueKind::List(
            text.split(',')
                .filter(|t| !t.is_empty())
                .map(|t| item(t, ty).map(|kind| Value::new(kind, span)))
                .collect::<Result<_, _>>()?,
        ),
        ParamType::Map => {
            let mut entries = Map::default();
            for pair in text.split(',').filter(|t| !t.is_empty()) {
                let (key, value) = pair.split_once('=').ok_or_else(|| format!("`{pair}` is not `key=value`"))?;
                let value = Value::new(ValueKind::String(value.to_owned()), span);
                entries.entries.insert(key.to_owned(), Entry { key_span: span, value });
            }
            ValueKind::Map(entries)
        }
    };
    check_value(param, Value::new(kind, span))
}

/// Checks a value (a default, an argument or a `--set`) against the param's type, bounds and
/// choices.
pub(crate) fn check_value(param: &Param, value: Value) -> Result<Value, String> {
    let fits = |ty: ParamType, value: &Value| -> Result<(), String> {
        match (ty, &value.kind) {
            (ParamType::String, ValueKind::String(_))
            | (ParamType::Int, ValueKind::Int(_))
            | (ParamType::Bool, ValueKind::Bool(_)) => Ok(()),
            (ParamType::Version, ValueKind::String(v)) => check_version(v),
            (ParamType::Duration, ValueKind::String(v)) => check_duration(v),
            (ParamType::Address, ValueKind::String(v)) => crate::address::check(v),
            (ParamType::Enum, ValueKind::String(v)) if param.choices.contains(v) => Ok(()),
            (ParamType::Enum, ValueKind::String(v)) => Err(format!("`{v}` is not one of {}", param.choices.join(", "))),
            (ParamType::Map, ValueKind::Map(map)) => {
                match map.entries.iter().find(|(_, e)| !matches!(e.value.kind, ValueKind::String(_))) {
                    Some((key, entry)) => {
                        Err(format!("map values are strings, `{key}` is a {}", entry.value.type_name()))
                    }
                    None => Ok(()),
                }
            }
            _ => Err(format!("it is a {}", value.type_name())),
        }
    };
    match (param.ty, &value.kind) {
        (ParamType::List(item), ValueKind::List(items)) => {
            let ty = match item {
                Item::String => ParamType::String,
                Item::Int => ParamType::Int,
                Item::Bool => ParamType::Bool,
            };
            for item in items {
                fits(ty, item).map_err(|why| format!("an item does not fit: {why}"))?;
                check_range(param, item)?;
            }
        }
        (ty, _) => {
            fits(ty, &value)?;
            check_range(param, &value)?;
        }
    }
    Ok(value)
}

fn check_range(param: &Param, value: &Value) -> Result<(), String> {
    if let ValueKind::Int(n) = value.kind {
        if let Some(min) = param.min.filter(|min| n < *min) {
            return Err(format!("{n} is less than the minimum {min}"));
        }
        if let Some(max) = param.max.filter(|max| n > *max) {
            return Err(format!("{n} is more than the maximum {max}"));
        }
    }
    Ok(())
}

/// Accepts what Prometheus and Go accept: one or more `<number><unit>`, units `ms`, `s`, `m`,
/// `h`, `d`, `w` and `y`, largest first (`1h30m`, `500ms`, `15s`).
fn check_duration(text: &str) -> Result<(), String> {
    const UNITS: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    let bad = || Err(format!("`{text}` is not a duration like `15s`, `1m30s` or `500ms`"));
    let mut rest = text;
    let mut last_unit = None;
    if rest.is_empty() {
        return bad();
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return bad();
        }
        rest = &rest[digits..];
        let unit = if rest.starts_with("ms") { "ms" } else { &rest[..rest.chars().next().map_or(0, char::len_utf8)] };
        let Some(position) = UNITS.iter().position(|u| *u == unit) else { return bad() };
        if last_unit.is_some_and(|last| position <= last) {
            return bad();
        }
        last_unit = Some(position);
        rest = &rest[unit.len()..];
    }
    Ok(())
}

/// Accepts `1`, `1.2`, `1.2.3`, each optionally with a leading `v` and a `-pre` or `+build`
/// suffix: the versions container images and charts are tagged with.
fn check_version(text: &str) -> Result<(), String> {
    let bad = || Err(format!("`{text}` is not a version like `2.53.1`"));
    let core = text.strip_prefix('v').unwrap_or(text);
    let (core, suffix) = match core.find(['-', '+']) {
        Some(i) => (&core[..i], Some(&core[i + 1..])),
        None => (core, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return bad();
    }
    if suffix.is_some_and(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')) {
        return bad();
    }
    Ok(())
}

/// `(param)"name"` (or `{name}`) of a param without a value: no default and no `--set`.
pub(crate) fn unset(name: &str, used: Span, param: &Param) -> Diagnostic {
    Diagnostic::error("stackc::param::unset", format!("param `{name}` has no value"))
        .at(used, "used here")
        .with_secondary(param.span, "declared without a default")
        .with_help(format!("give it a `default=` or pass `--set {name}=…`"))
}

/// Reads a KDL value as a param reference target: `(param)"name"`.
pub(crate) fn lookup<'p>(params: &'p [Param], name: &ast::Value) -> Result<&'p Param, Option<String>> {
    let ast::Value::String(name) = name else { return Err(None) };
    params
        .iter()
        .find(|p| p.name.value == *name)
        .ok_or_else(|| did_you_mean(name, params.iter().map(|p| p.name.value.as_str())))
}

/// A string property that may also be `(param)"name"`: `address=(param)"web-address"`.
pub(crate) fn string_or_param(
    props: &NodeProps<'_>,
    key: &str,
    params: &[Param],
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<String>> {
    let entry = props.get(key)?;
    if entry.ty().is_none_or(|t| t.value() != "param") {
        return props.string(key, diagnostics);
    }
    let span = entry.span();
    match lookup(params, entry.value()) {
        Ok(param) => match &param.value.kind {
            ValueKind::String(s) => Some(Spanned::new(s.clone(), span)),
            _ => {
                diagnostics.push(
                    Diagnostic::error("stackc::param::mismatch", format!("`{key}` needs a string param"))
                        .at(span, format!("param `{}` is a {}", param.name.value, param.ty.name()))
                        .with_secondary(param.span, "declared here"),
                );
                None
            }
        },
        Err(help) => {
            diagnostics.push(
                Diagnostic::error("stackc::param::unknown", "unknown param")
                    .at(span, "no such param")
                    .with_help_opt(help),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["15s", "1m30s", "500ms", "2h", "1d12h", "1y", "1h0m5s"] {
            assert!(check_duration(ok).is_ok(), "{ok}");
        }
        for bad in ["", "15", "s", "1m1h", "1.5s", "1 s", "5x", "1s1s", "-1s"] {
            assert!(check_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions() {
        for ok in ["1", "2.53", "2.53.1", "v3.1.0", "1.2.3-rc.1", "8.2.1+build5"] {
            assert!(check_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "v", "1..2", "1.2.3.4", "latest", "1.2-", "x1.2"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
