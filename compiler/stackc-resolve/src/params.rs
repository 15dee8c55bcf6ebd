//! `param` declarations and their `--set` overrides.

use stackc_diag::{Diagnostic, Diagnostics, Sources, Span, Spanned, did_you_mean};
use stackc_model::{Param, ParamType, Value, ValueKind};
use stackc_syntax::ast;

use crate::node::{NodeProps, name_arg, scalar};

/// One `--set name=value` from the command line, with spans into a pseudo source file that
/// holds the command line, so that diagnostics can point at the exact override.
#[derive(Debug, Clone)]
pub struct Override {
    pub name: Spanned<String>,
    pub value: Spanned<String>,
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
            value: Spanned::new(value.to_owned(), Span::new(file, value_start, value_start + value.len())),
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
                Diagnostic::error("stackc::param::unknown", format!("`--set` of unknown param `{}`", o.name.value))
                    .at(o.name.span, "no such param")
                    .with_help(help),
            );
            continue;
        };
        match parse_typed(param.ty, &o.value.value, o.value.span).and_then(|v| check_range(param, v)) {
            Ok(value) => {
                param.value = value;
                param.overridden = true;
            }
            Err(why) => diagnostics.push(
                Diagnostic::error(
                    "stackc::param::bad-value",
                    format!("invalid value for param `{}`: {why}", param.name.value),
                )
                .at(o.value.span, format!("expected {}", describe_type(param)))
                .with_secondary(param.span, "param declared here"),
            ),
        }
    }
    Params { params, broken }
}

/// Reads one `param "name" type="int" default=3 min=1 max=9 doc="…"` node.
/// Reads one param; the flag is false when its default was rejected.
fn declare(node: &ast::Node, diagnostics: &mut Diagnostics) -> Option<(Param, bool)> {
    let span = node.span();
    let name = name_arg(node, "param", diagnostics)?;
    let props = NodeProps::new(node, &["type", "default", "min", "max", "doc"], diagnostics);
    let ty = match props.string("type", diagnostics) {
        None => {
            diagnostics.push(
                Diagnostic::error("stackc::param::type", format!("param `{}` has no type", name.value))
                    .at(name.span, "missing `type=`")
                    .with_help("add `type=\"int\"` (or string, bool, version)"),
            );
            return None;
        }
        Some(ty) => match ParamType::ALL.iter().find(|(n, _)| *n == ty.value) {
            Some((_, ty)) => *ty,
            None => {
                let help = did_you_mean(&ty.value, ParamType::ALL.iter().map(|(n, _)| *n))
                    .unwrap_or_else(|| "param types are string, int, bool and version".to_owned());
                diagnostics.push(
                    Diagnostic::error("stackc::param::type", format!("unknown param type `{}`", ty.value))
                        .at(ty.span, "unknown type")
                        .with_help(help),
                );
                return None;
            }
        },
    };
    let min = props.int("min", diagnostics);
    let max = props.int("max", diagnostics);
    let doc = props.string("doc", diagnostics).map(|d| d.value);
    let mut param =
        Param { name, ty, value: Value::new(ValueKind::Null, span), overridden: false, min, max, doc, span };
    let mut default_ok = true;
    // A param without default must be set on the command line; that is checked at use.
    if let Some(entry) = props.get("default") {
        let value_span = entry.span();
        let value = scalar(entry.value(), value_span);
        match check_type(ty, value).and_then(|v| check_range(&param, v)) {
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

fn describe_type(param: &Param) -> String {
    match (param.ty, param.min, param.max) {
        (ParamType::Int, Some(min), Some(max)) => format!("an int from {min} to {max}"),
        (ParamType::Int, Some(min), None) => format!("an int of at least {min}"),
        (ParamType::Int, None, Some(max)) => format!("an int of at most {max}"),
        (ParamType::Int, None, None) => "an int".to_owned(),
        (ParamType::String, ..) => "a string".to_owned(),
        (ParamType::Bool, ..) => "`true` or `false`".to_owned(),
        (ParamType::Version, ..) => "a version such as `2.53.1`".to_owned(),
    }
}

/// Parses a `--set` value as the param's type.
fn parse_typed(ty: ParamType, text: &str, span: Span) -> Result<Value, String> {
    let kind = match ty {
        ParamType::String => ValueKind::String(text.to_owned()),
        ParamType::Int => ValueKind::Int(text.trim().parse().map_err(|_| format!("`{text}` is not an integer"))?),
        ParamType::Bool => match text.trim() {
            "true" => ValueKind::Bool(true),
            "false" => ValueKind::Bool(false),
            _ => return Err(format!("`{text}` is not `true` or `false`")),
        },
        ParamType::Version => {
            check_version(text)?;
            ValueKind::String(text.to_owned())
        }
    };
    Ok(Value::new(kind, span))
}

/// Checks a default written in KDL against the param's type.
fn check_type(ty: ParamType, value: Value) -> Result<Value, String> {
    match (ty, &value.kind) {
        (ParamType::String, ValueKind::String(_))
        | (ParamType::Int, ValueKind::Int(_))
        | (ParamType::Bool, ValueKind::Bool(_)) => Ok(value),
        (ParamType::Version, ValueKind::String(v)) => check_version(v).map(|()| value),
        _ => Err(format!("the default is a {}", value.type_name())),
    }
}

fn check_range(param: &Param, value: Value) -> Result<Value, String> {
    if let ValueKind::Int(n) = value.kind {
        if let Some(min) = param.min.filter(|min| n < *min) {
            return Err(format!("{n} is less than the minimum {min}"));
        }
        if let Some(max) = param.max.filter(|max| n > *max) {
            return Err(format!("{n} is more than the maximum {max}"));
        }
    }
    Ok(value)
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
    fn versions() {
        for ok in ["1", "2.53", "2.53.1", "v3.1.0", "1.2.3-rc.1", "8.2.1+build5"] {
            assert!(check_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "v", "1..2", "1.2.3.4", "latest", "1.2-", "x1.2"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
