//! `(fmt)"…"` strings: each `{name}` is replaced by the value of a param, loop variable or
//! module param; `{name + N}`, `{name - N}`, `{name * N}` and `{name / N}` (whole division)
//! compute with an int; `{{` and `}}` are braces. A string that is one placeholder and nothing
//! else keeps the value's type (`tolerate (fmt)"{members / 2}"` is an int), as a template of
//! one interpolation does in Terraform.
//!
//! Only strings marked `(fmt)` (and the names in `(ref)` and `(secret)`) are read this way, so
//! a brace in any other string (an nginx `${var}`, a Go template) stays what it is.

use stackc_diag::{Diagnostic, Diagnostics, Span};
use stackc_syntax::ast;

use super::scope::{Bound, Found, Scope};

/// Where the text of a string literal starts in its file, when the source shows it verbatim
/// (no escapes), so that a diagnostic can point at the placeholder itself.
pub(crate) struct Located<'t> {
    pub(crate) text: &'t str,
    /// The span of the whole entry (`(fmt)"…"`).
    pub(crate) span: Span,
    /// The source text under `span`.
    pub(crate) source: &'t str,
}

impl Located<'_> {
    /// The span of `text[start..end]`, or the whole entry's when the literal has escapes.
    fn span(&self, start: usize, end: usize) -> Span {
        let verbatim =
            self.source.strip_suffix('"').and_then(|s| s.strip_suffix(self.text)).is_some_and(|s| s.ends_with('"'));
        if !verbatim {
            return self.span;
        }
        let content = self.span.start as usize + self.source.len() - self.text.len() - 1;
        Span::new(self.span.file, content + start, content + end)
    }
}

/// The value of a `(fmt)` string: typed when it is one placeholder, else the text.
pub(crate) fn value(string: &Located<'_>, scope: &Scope<'_>, diagnostics: &mut Diagnostics) -> Option<ast::Value> {
    let text = string.text;
    let whole =
        text.len() > 2 && text.starts_with('{') && !text.starts_with("{{") && text.find('}') == Some(text.len() - 1);
    if whole {
        return placeholder(&text[1..text.len() - 1], string.span(0, text.len()), scope, diagnostics);
    }
    interpolate(string, scope, diagnostics).map(ast::Value::String)
}

/// The string with every placeholder replaced, or `None` after reporting why not.
pub(crate) fn interpolate(string: &Located<'_>, scope: &Scope<'_>, diagnostics: &mut Diagnostics) -> Option<String> {
    let text = string.text;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut ok = true;
    let mut i = 0;
    let mut literal_from = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'{', Some(b'{')) | (b'}', Some(b'}')) => {
                out.push_str(&text[literal_from..=i]);
                i += 2;
                literal_from = i;
            }
            (b'{', _) => {
                out.push_str(&text[literal_from..i]);
                let Some(len) = text[i + 1..].find('}') else {
                    diagnostics.push(
                        Diagnostic::error("stackc::fmt::syntax", "unclosed `{` in a `(fmt)` string")
                            .at(string.span(i, text.len()), "no `}` after this")
                            .with_help("close it (`{name}`), or write `{{` for a brace"),
                    );
                    return None;
                };
                let end = i + 1 + len;
                match placeholder(&text[i + 1..end], string.span(i, end + 1), scope, diagnostics) {
                    Some(ast::Value::String(s)) => out.push_str(&s),
                    Some(ast::Value::Integer(i)) => out.push_str(&i.to_string()),
                    Some(ast::Value::Bool(b)) => out.push_str(&b.to_string()),
                    Some(ast::Value::Float(f)) => out.push_str(&f.to_string()),
                    // Null stands for a value already reported as missing (a module argument).
                    Some(ast::Value::Null) | None => ok = false,
                }
                i = end + 1;
                literal_from = i;
            }
            (b'}', _) => {
                diagnostics.push(
                    Diagnostic::error("stackc::fmt::syntax", "a lone `}` in a `(fmt)` string")
                        .at(string.span(i, i + 1), "not the end of a placeholder")
                        .with_help("write `}}` for a brace"),
                );
                return None;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[literal_from..]);
    ok.then_some(out)
}

/// The value of one placeholder: `name`, or `name OP N` with `OP` one of `+ - * /`.
fn placeholder(inner: &str, span: Span, scope: &Scope<'_>, diagnostics: &mut Diagnostics) -> Option<ast::Value> {
    let words: Vec<&str> = inner.split_whitespace().collect();
    let (name, operation) = match words.as_slice() {
        [name] => (*name, None),
        [name, op @ ("+" | "-" | "*" | "/"), n] if n.parse::<i64>().is_ok() => {
            (*name, Some((*op, i128::from(n.parse::<i64>().unwrap_or_default()))))
        }
        _ => {
            diagnostics.push(
                Diagnostic::error("stackc::fmt::syntax", format!("`{{{inner}}}` is not a placeholder"))
                    .at(span, "expected `{name}` or `{name + N}` (also `-`, `*`, `/`)")
                    .with_help("names are params and loop variables; write `{{` for a brace"),
            );
            return None;
        }
    };
    let value = match scope.find(name) {
        Some(Found::Bound(binding)) => binding.value.clone(),
        Some(Found::Param(param)) => match Bound::of_param(&param.value) {
            Some(value) => value,
            None if matches!(param.value.kind, stackc_model::ValueKind::Null) => {
                diagnostics.push(crate::params::unset(name, span, param));
                return None;
            }
            None => return type_error(name, "a map", span, diagnostics),
        },
        None if scope.secrets.iter().any(|s| s == name) => {
            diagnostics.push(
                Diagnostic::error("stackc::fmt::secret", format!("secret `{name}` cannot be interpolated into text"))
                    .at(span, "a secret here would put its value in the bundle")
                    .with_help(format!(
                        "pass the secret whole, as `(secret)\"{name}\"`: it is resolved where the service is deployed"
                    )),
            );
            return None;
        }
        None => {
            diagnostics.push(
                Diagnostic::error("stackc::fmt::unknown", format!("unknown name `{name}` in a `(fmt)` string"))
                    .at(span, "not a param or loop variable")
                    .with_help(scope.unknown_help(name)),
            );
            return None;
        }
    };
    match (value, operation) {
        (Bound::Scalar(value), None) => Some(value),
        (Bound::Scalar(ast::Value::Integer(i)), Some((op, n))) => {
            let result = match op {
                "+" => i.checked_add(n),
                "-" => i.checked_sub(n),
                "*" => i.checked_mul(n),
                _ => i.checked_div(n),
            };
            if result.is_none() {
                diagnostics.push(
                    Diagnostic::error("stackc::fmt::arithmetic", format!("`{{{inner}}}` has no value"))
                        .at(span, if n == 0 { "division by zero" } else { "out of range" }),
                );
            }
            result.map(ast::Value::Integer)
        }
        (Bound::List(_), _) => type_error(name, "a list", span, diagnostics),
        (bound, Some(_)) => {
            diagnostics.push(
                Diagnostic::error("stackc::fmt::type", format!("`{name}` is {}, not an int", bound.a_type()))
                    .at(span, "only ints take `+`, `-`, `*` or `/`")
                    .with_help(format!("write `{{{name}}}`")),
            );
            None
        }
    }
}

fn type_error(name: &str, what: &str, span: Span, diagnostics: &mut Diagnostics) -> Option<ast::Value> {
    diagnostics.push(
        Diagnostic::error("stackc::fmt::type", format!("`{name}` is {what} and cannot be interpolated"))
            .at(span, "not a string, int or bool")
            .with_help("loop over a list with `for \"item\" in=(param)\"list\" { … }` and interpolate the item"),
    );
    None
}

#[cfg(test)]
mod tests;
