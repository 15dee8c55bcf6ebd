//! The names a construct can read: loop variables, module params and `instance` (bound while
//! expanding), the stack's facts (`stack`, its name), and, outside modules, the stack's params.

use stackc_diag::{Span, did_you_mean};
use stackc_model::{Param, Value, ValueKind};
use stackc_syntax::ast;

/// A bound name's value: a scalar, or a list (a `for … in=` over it, or node arguments).
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    Scalar(ast::Value),
    List(Vec<ast::Value>),
}

impl Bound {
    /// A param's value as a bound value; `None` for what a construct cannot read (a map, or
    /// no value).
    pub(crate) fn of_param(value: &Value) -> Option<Bound> {
        fn scalar(kind: &ValueKind) -> Option<ast::Value> {
            Some(match kind {
                ValueKind::String(s) => ast::Value::String(s.clone()),
                ValueKind::Int(i) => ast::Value::Integer((*i).into()),
                ValueKind::Float(f) => ast::Value::Float(*f),
                ValueKind::Bool(b) => ast::Value::Bool(*b),
                _ => return None,
            })
        }
        match &value.kind {
            ValueKind::List(items) => items.iter().map(|v| scalar(&v.kind)).collect::<Option<_>>().map(Bound::List),
            kind => scalar(kind).map(Bound::Scalar),
        }
    }

    /// "a string", "an int", …
    pub(crate) fn a_type(&self) -> &'static str {
        match self {
            Bound::List(_) => "a list",
            Bound::Scalar(ast::Value::String(_)) => "a string",
            Bound::Scalar(ast::Value::Integer(_)) => "an int",
            Bound::Scalar(ast::Value::Float(_)) => "a float",
            Bound::Scalar(ast::Value::Bool(_)) => "a bool",
            Bound::Scalar(ast::Value::Null) => "null",
        }
    }
}

/// A name bound by a construct.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    pub(crate) name: String,
    pub(crate) value: Bound,
    /// Where it was bound: the loop variable, the module param.
    pub(crate) span: Span,
}

/// What a name means where it is read.
pub(crate) enum Found<'s> {
    Bound(&'s Binding),
    Param(&'s Param),
}

/// The names in scope at one point of the expansion.
#[derive(Clone)]
pub(crate) struct Scope<'a> {
    /// Innermost last: an inner loop's variable hides nothing (shadowing is an error), so the
    /// order matters only for lookups' speed.
    pub(crate) bindings: Vec<Binding>,
    /// The stack's params; empty inside a module, which sees its own params only.
    pub(crate) params: &'a [Param],
    /// Inside a module instance: `(param)` names the module's params, never the stack's.
    pub(crate) in_module: bool,
    /// Declared secret names, so that interpolating one is reported as such.
    pub(crate) secrets: &'a [String],
}

impl<'a> Scope<'a> {
    pub(crate) fn stack(params: &'a [Param], secrets: &'a [String]) -> Self {
        Scope { bindings: Vec::new(), params, in_module: false, secrets }
    }

    pub(crate) fn module(bindings: Vec<Binding>, secrets: &'a [String]) -> Self {
        Scope { bindings, params: &[], in_module: true, secrets }
    }

    pub(crate) fn with(&self, binding: Binding) -> Self {
        let mut inner = self.clone();
        inner.bindings.push(binding);
        inner
    }

    /// A name bound by a construct (loop variable, module param, `instance`).
    pub(crate) fn bound(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().rev().find(|b| b.name == name)
    }

    pub(crate) fn find(&self, name: &str) -> Option<Found<'_>> {
        if let Some(binding) = self.bound(name) {
            return Some(Found::Bound(binding));
        }
        self.params.iter().find(|p| p.name.value == name).map(Found::Param)
    }

    /// Every name readable here, for suggestions.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.bindings.iter().map(|b| b.name.as_str()).chain(self.params.iter().map(|p| p.name.value.as_str()))
    }

    /// "did you mean …?", or what can be named here.
    pub(crate) fn unknown_help(&self, name: &str) -> String {
        did_you_mean(name, self.names()).unwrap_or_else(|| {
            if self.in_module {
                "a module reads its own params, loop variables and `instance`".to_owned()
            } else {
                "names are the stack's params and the variables of enclosing `for` loops".to_owned()
            }
        })
    }
}
