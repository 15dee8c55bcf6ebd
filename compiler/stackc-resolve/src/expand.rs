//! Expansion: `for`, `if`, `module` and `(fmt)` turned into the plain declarations the rest of
//! resolution reads.
//!
//! It runs on the syntax tree once the root file and its includes are loaded and the stack's
//! params resolved (loop bounds, conditions and placeholders read their values), and before
//! declarations are resolved, which then see hosts and services as if written out by hand.
//! Every node it makes keeps the spans of the text it came from, so a diagnostic about a
//! generated host points at the line that generated it; one inside a module instance also
//! names where the instance was made (`module.rs`).
//!
//! What it rewrites:
//! - `for "i" from=1 to=5 { … }` and `for "x" in=(param)"list" { … }`: the block once per
//!   value, with the variable bound;
//! - `if (param)"flag" { … }`, `if (param)"x" equals=… { … }`: the block, or nothing;
//! - `module "name" path="file.kdl" { arg value … }`: the file's nodes, its params bound to the
//!   arguments;
//! - `(fmt)"…{name}…"` and placeholders in `(ref)` and `(secret)` names: the text;
//! - `(param)"name"` naming a loop variable or a module param: its value.
//!
//! `(param)` of a stack param is left to `config.rs`, which knows what a param means in a
//! config; so a stack without these constructs goes through untouched (nodes are moved, not
//! copied).

mod interpolate;
mod module;
mod scope;

use stackc_diag::{Diagnostic, Diagnostics, Sources, Span};
use stackc_syntax::ast;

use crate::load::{File, SourceLoader};
use crate::node::{NodeProps, name_arg};
use crate::params::{self, Override, Params};
use interpolate::Located;
use module::Instance;
use scope::{Binding, Bound, Found, Scope};

/// The most values all `for` loops of a stack may bind together: a typo in a bound
/// (`to=100000000`) is an error, not a build that never ends.
pub const MAX_ITERATIONS: usize = 100_000;

/// The stack's declarations with every construct expanded, and its params.
pub(crate) struct Expanded {
    /// Top-level declarations in file order (params excluded: they are in `params`).
    pub(crate) nodes: Vec<ast::Node>,
    pub(crate) params: Params,
    /// The names the stack's files read as params, for the unused-param warning.
    pub(crate) params_read: std::collections::BTreeSet<String>,
    instances: Vec<Instance>,
}

impl Expanded {
    /// Adds to every diagnostic inside a module instance where that instance was made.
    pub(crate) fn annotate(&self, diagnostics: &mut Diagnostics) {
        module::annotate(&self.instances, diagnostics);
    }
}

/// Where a node is: at the top of a file or in a block of declarations (a `for` or `if` at the
/// top), or inside a host's or service's block, where only `for` and `if` are constructs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Top,
    Block,
}

pub(crate) fn expand(
    files: Vec<File>,
    overrides: &[Override],
    loader: &dyn SourceLoader,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Expanded {
    let documents: Vec<ast::Document> = files.into_iter().map(|f| f.document).collect();
    let params_read = crate::unused::params_read(&documents);
    let declared = |kind: &'static str| documents.iter().flat_map(|d| &d.nodes).filter(move |n| n.name.value == kind);
    let param_nodes: Vec<&ast::Node> = declared("param").collect();
    let params = params::resolve_params(&param_nodes, overrides, diagnostics);
    let secrets: Vec<String> = declared("secret")
        .filter_map(|n| match n.entries.first().map(|e| &e.value) {
            Some(ast::Value::String(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut expander =
        Expander { loader, sources, diagnostics, instances: Vec::new(), modules: Vec::new(), iterations: 0 };
    // Facts every construct can read: the stack's name.
    let facts: Vec<Binding> = declared("stack")
        .take(1)
        .filter_map(|n| match n.entries.first() {
            Some(ast::Entry { value: ast::Value::String(name), span, .. }) => Some(Binding {
                name: "stack".to_owned(),
                value: Bound::Scalar(ast::Value::String(name.clone())),
                span: *span,
            }),
            _ => None,
        })
        .collect();
    let mut scope = Scope::stack(&params.params, &secrets);
    scope.bindings.extend(facts);
    let mut nodes = Vec::new();
    for document in documents {
        for node in document.nodes {
            if node.name.value != "param" {
                expander.top(node, &scope, &mut nodes);
            }
        }
    }
    let instances = expander.instances;
    Expanded { nodes, params, params_read, instances }
}

struct Expander<'x> {
    loader: &'x dyn SourceLoader,
    sources: &'x mut Sources,
    diagnostics: &'x mut Diagnostics,
    instances: Vec<Instance>,
    /// The keys of the module files being instantiated, outermost first.
    modules: Vec<String>,
    iterations: usize,
}

impl Expander<'_> {
    /// A top-level node the expander owns: moved to `out` when nothing in it needs expanding.
    fn top(&mut self, node: ast::Node, scope: &Scope<'_>, out: &mut Vec<ast::Node>) {
        match node.name.value.as_str() {
            "for" | "if" | "module" => self.nodes(std::slice::from_ref(&node), scope, Level::Top, out),
            _ if needs_expansion(&node, scope) => out.extend(self.substitute(&node, scope)),
            _ => out.push(node),
        }
    }

    /// Expands `nodes` into `out`.
    fn nodes(&mut self, nodes: &[ast::Node], scope: &Scope<'_>, level: Level, out: &mut Vec<ast::Node>) {
        for node in nodes {
            match (node.name.value.as_str(), level) {
                ("for", _) => self.repeat(node, scope, level, out),
                ("if", _) => self.condition(node, scope, level, out),
                ("module", Level::Top) => self.instantiate(node, scope, out),
                ("param", Level::Top) => self.diagnostics.push(
                    Diagnostic::error("stackc::param::nested", "a `param` inside `for` or `if`")
                        .at(node.name.span, "declared here")
                        .with_help("declare params at the top level of a file"),
                ),
                // Includes are read before anything is expanded, so one here would do nothing.
                ("include" | "stack", Level::Top) => self.diagnostics.push(
                    Diagnostic::error("stackc::expand::nested", format!("`{}` inside `for` or `if`", node.name.value))
                        .at(node.name.span, "not allowed here")
                        .with_help("for a file that is there only sometimes, or many times, write a `module`"),
                ),
                _ => out.extend(self.substitute(node, scope)),
            }
        }
    }

    /// A copy of `node` with its entries interpolated and its blocks expanded; `None` when one
    /// of its own entries could not be (reported), so that what is made of a broken string
    /// (`web{nope}`) is not reported again as a bad name.
    fn substitute(&mut self, node: &ast::Node, scope: &Scope<'_>) -> Option<ast::Node> {
        let mut entries = Vec::with_capacity(node.entries.len());
        let reported = self.diagnostics.len();
        for entry in &node.entries {
            self.entry(entry, scope, &mut entries);
        }
        if self.diagnostics.len() > reported {
            return None;
        }
        let children = node.children.as_ref().map(|block| {
            let mut nodes = Vec::with_capacity(block.nodes.len());
            self.nodes(&block.nodes, scope, Level::Block, &mut nodes);
            ast::Document { nodes, span: block.span }
        });
        Some(ast::Node { ty: node.ty.clone(), name: node.name.clone(), entries, children, span: node.span })
    }

    fn entry(&mut self, entry: &ast::Entry, scope: &Scope<'_>, out: &mut Vec<ast::Entry>) {
        let plain = |value: ast::Value| ast::Entry { name: entry.name.clone(), ty: None, value, span: entry.span };
        match (annotation(entry), &entry.value) {
            (Some("fmt"), ast::Value::String(text)) => {
                let string = Located { text, span: entry.span, source: self.sources.slice(entry.span) };
                if let Some(value) = interpolate::value(&string, scope, self.diagnostics) {
                    out.push(plain(value));
                }
            }
            (Some("fmt"), other) => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::fmt::syntax", "`(fmt)` takes a string")
                        .at(entry.span, format!("found `{other}`"))
                        .with_help("write `(fmt)\"text with {name}\"`"),
                );
                out.push(plain(other.clone()));
            }
            (Some("ref" | "secret"), ast::Value::String(text)) if text.contains(['{', '}']) => {
                if let Some(text) = self.interpolate(text, entry.span, scope) {
                    out.push(ast::Entry { value: ast::Value::String(text), ..entry.clone() });
                }
            }
            (Some("param"), ast::Value::String(name)) => match scope.bound(name) {
                Some(binding) => match &binding.value {
                    Bound::Scalar(value) => out.push(plain(value.clone())),
                    // A list's items become the node's arguments: `servers (param)"members"`.
                    Bound::List(items) if entry.name.is_none() => out.extend(items.iter().cloned().map(plain)),
                    Bound::List(_) => self.diagnostics.push(
                        Diagnostic::error("stackc::param::mismatch", format!("`{name}` is a list"))
                            .at(entry.span, "a property holds one value")
                            .with_secondary(binding.span, "bound here")
                            .with_help("pass a list as a node's arguments: `key (param)\"list\"`"),
                    ),
                },
                None if scope.in_module => {
                    self.diagnostics.push(
                        Diagnostic::error("stackc::param::unknown", format!("unknown param `{name}` in a module"))
                            .at(entry.span, "not a param of this module")
                            .with_help(scope.unknown_help(name)),
                    );
                    out.push(plain(entry.value.clone()));
                }
                None => out.push(entry.clone()),
            },
            _ => out.push(entry.clone()),
        }
    }

    fn interpolate(&mut self, text: &str, span: Span, scope: &Scope<'_>) -> Option<String> {
        let string = Located { text, span, source: self.sources.slice(span) };
        interpolate::interpolate(&string, scope, self.diagnostics)
    }

    /// `for "i" from=1 to=5 { … }` or `for "x" in=(param)"list" { … }`.
    fn repeat(&mut self, node: &ast::Node, scope: &Scope<'_>, level: Level, out: &mut Vec<ast::Node>) {
        let Some(variable) = name_arg(node, "for", self.diagnostics) else { return };
        if let Some(found) = scope.find(&variable.value) {
            let earlier = match found {
                Found::Bound(binding) => binding.span,
                Found::Param(param) => param.span,
            };
            self.diagnostics.push(
                Diagnostic::error(
                    "stackc::for::shadow",
                    format!("loop variable `{}` hides another name", variable.value),
                )
                .at(variable.span, "bound again here")
                .with_secondary(earlier, "first bound here")
                .with_help("give the loop variable a name of its own"),
            );
            return;
        }
        let props = NodeProps::new(node, &["from", "to", "in"], self.diagnostics);
        let values: Vec<ast::Value> = match (props.get("in"), props.get("from"), props.get("to")) {
            (Some(list), None, None) => match self.value(list, scope) {
                Some(Bound::List(items)) => items,
                Some(other) => {
                    self.diagnostics.push(
                        Diagnostic::error("stackc::for::type", format!("`in=` takes a list, not {}", other.a_type()))
                            .at(list.span, "not a list")
                            .with_help("write `in=(param)\"list\"` for a param of type list, or `from=1 to=N`"),
                    );
                    return;
                }
                None => return,
            },
            (None, Some(from), Some(to)) => {
                let (Some(first), Some(last)) = (self.int(from, scope), self.int(to, scope)) else { return };
                let count = usize::try_from(last - first + 1).unwrap_or(0);
                if count > MAX_ITERATIONS {
                    self.too_many(node.name.span);
                    return;
                }
                (first..=last).map(ast::Value::Integer).collect()
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::for::syntax", "`for` needs `from=` and `to=`, or `in=`")
                        .at(node.name.span, "what to loop over?")
                        .with_help("write `for \"i\" from=1 to=3 { … }` or `for \"x\" in=(param)\"list\" { … }`"),
                );
                return;
            }
        };
        let Some(block) = self.block(node, "for") else { return };
        self.iterations += values.len();
        if self.iterations > MAX_ITERATIONS {
            self.too_many(node.name.span);
            return;
        }
        for value in values {
            let binding = Binding { name: variable.value.clone(), value: Bound::Scalar(value), span: variable.span };
            self.nodes(&block.nodes, &scope.with(binding), level, out);
        }
    }

    fn too_many(&mut self, at: Span) {
        self.diagnostics.push(
            Diagnostic::error("stackc::for::too-many", format!("loops make more than {MAX_ITERATIONS} copies"))
                .at(at, "this loop goes over the limit")
                .with_help("check the loop's bounds"),
        );
    }

    /// `if (param)"flag" { … }`, or with one of `equals=`, `not-equals=`, `at-least=`,
    /// `at-most=`.
    fn condition(&mut self, node: &ast::Node, scope: &Scope<'_>, level: Level, out: &mut Vec<ast::Node>) {
        let mut arguments = node.entries.iter().filter(|e| e.name.is_none());
        let Some(subject) = arguments.next() else {
            self.diagnostics.push(
                Diagnostic::error("stackc::if::syntax", "`if` needs a value to test")
                    .at(node.name.span, "test what?")
                    .with_help("write `if (param)\"flag\" { … }` or `if (param)\"env\" equals=\"prod\" { … }`"),
            );
            return;
        };
        if let Some(extra) = arguments.next() {
            self.diagnostics.push(
                Diagnostic::error("stackc::if::syntax", "`if` tests one value")
                    .at(extra.span, "unexpected argument")
                    .with_help("compare with `equals=`, `not-equals=`, `at-least=` or `at-most=`"),
            );
            return;
        }
        const COMPARISONS: [&str; 4] = ["equals", "not-equals", "at-least", "at-most"];
        // Checks the property names; the comparison is read below.
        NodeProps::new(node, &COMPARISONS, self.diagnostics);
        let Some(value) = self.value(subject, scope) else { return };
        let comparisons: Vec<&ast::Entry> = node.entries.iter().filter(|e| e.name.is_some()).collect();
        let holds = match comparisons.as_slice() {
            [] => match value {
                Bound::Scalar(ast::Value::Bool(b)) => Some(b),
                other => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "stackc::if::type",
                            format!("`if` without a comparison needs a bool, not {}", other.a_type()),
                        )
                        .at(subject.span, "not a bool")
                        .with_help("compare it: `if (param)\"env\" equals=\"prod\" { … }`"),
                    );
                    None
                }
            },
            [comparison] => self.compare(&value, subject.span, comparison, scope),
            [_, second, ..] => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::if::syntax", "`if` takes one comparison")
                        .at(second.span, "a second comparison")
                        .with_help("nest a second `if` inside the first"),
                );
                None
            }
        };
        let Some(block) = self.block(node, "if") else { return };
        if holds == Some(true) {
            self.nodes(&block.nodes, scope, level, out);
        }
    }

    fn compare(&mut self, left: &Bound, left_span: Span, comparison: &ast::Entry, scope: &Scope<'_>) -> Option<bool> {
        let op = comparison.name.as_ref().map_or("", |n| n.value.as_str());
        let right = self.value(comparison, scope)?;
        let (Bound::Scalar(a), Bound::Scalar(b)) = (left, &right) else {
            return self.mismatch(left, left_span, &right, comparison.span);
        };
        match (op, a, b) {
            ("equals", a, b) if same_type(a, b) => Some(a == b),
            ("not-equals", a, b) if same_type(a, b) => Some(a != b),
            ("at-least", ast::Value::Integer(a), ast::Value::Integer(b)) => Some(a >= b),
            ("at-most", ast::Value::Integer(a), ast::Value::Integer(b)) => Some(a <= b),
            _ => self.mismatch(left, left_span, &right, comparison.span),
        }
    }

    fn mismatch(&mut self, left: &Bound, left_span: Span, right: &Bound, right_span: Span) -> Option<bool> {
        self.diagnostics.push(
            Diagnostic::error("stackc::if::type", format!("cannot compare {} with {}", left.a_type(), right.a_type()))
                .at(right_span, right.a_type())
                .with_secondary(left_span, left.a_type())
                .with_help(
                    "`equals` and `not-equals` compare values of one type; `at-least` and `at-most` compare ints",
                ),
        );
        None
    }

    /// The block of a `for` or `if`.
    fn block<'n>(&mut self, node: &'n ast::Node, keyword: &str) -> Option<&'n ast::Document> {
        if node.children.is_none() {
            self.diagnostics.push(
                Diagnostic::error("stackc::block::missing", format!("`{keyword}` needs a block"))
                    .at(node.span, "no `{ … }`")
                    .with_help(format!("put what the `{keyword}` makes in `{{ … }}` after it")),
            );
        }
        node.children.as_ref()
    }

    /// The value of an argument or property: a literal, `(param)"name"` or `(fmt)"…"`.
    fn value(&mut self, entry: &ast::Entry, scope: &Scope<'_>) -> Option<Bound> {
        match (annotation(entry), &entry.value) {
            (None, value) => Some(Bound::Scalar(value.clone())),
            (Some("fmt"), ast::Value::String(text)) => {
                let string = Located { text, span: entry.span, source: self.sources.slice(entry.span) };
                interpolate::value(&string, scope, self.diagnostics).map(Bound::Scalar)
            }
            (Some("param"), ast::Value::String(name)) => match scope.find(name) {
                Some(Found::Bound(binding)) => Some(binding.value.clone()),
                Some(Found::Param(param)) => {
                    let bound = Bound::of_param(&param.value);
                    if bound.is_none() {
                        self.diagnostics.push(match param.value.kind {
                            stackc_model::ValueKind::Null => params::unset(name, entry.span, param),
                            _ => Diagnostic::error("stackc::expand::value", format!("`{name}` is a map"))
                                .at(entry.span, "a map here")
                                .with_help("loops and conditions read strings, ints, bools and lists"),
                        });
                    }
                    bound
                }
                None => {
                    self.diagnostics.push(
                        Diagnostic::error("stackc::param::unknown", format!("unknown param `{name}`"))
                            .at(entry.span, "no such param or loop variable")
                            .with_help(scope.unknown_help(name)),
                    );
                    None
                }
            },
            (annotation, value) => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::expand::value", "expected a value, `(param)` or `(fmt)`")
                        .at(entry.span, format!("found `({})`{value}", annotation.unwrap_or_default()))
                        .with_help("write a literal, `(param)\"name\"` or `(fmt)\"text {name}\"`"),
                );
                None
            }
        }
    }

    fn int(&mut self, entry: &ast::Entry, scope: &Scope<'_>) -> Option<i128> {
        match self.value(entry, scope)? {
            Bound::Scalar(ast::Value::Integer(i)) => Some(i),
            other => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::for::type", format!("expected an int, found {}", other.a_type()))
                        .at(entry.span, "not an int")
                        .with_help("loop bounds are ints: `from=1 to=(param)\"count\"`"),
                );
                None
            }
        }
    }
}

/// The annotation of an entry: `param` for `(param)"x"`.
fn annotation(entry: &ast::Entry) -> Option<&str> {
    entry.ty.as_deref().map(|t| t.value.as_str())
}

fn same_type(a: &ast::Value, b: &ast::Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Whether anything in `node` is a construct for the expander: a `for` or `if` block, a
/// `(fmt)` string, a placeholder in a name, or a `(param)` of a bound name.
fn needs_expansion(node: &ast::Node, scope: &Scope<'_>) -> bool {
    let entry = |e: &ast::Entry| match (annotation(e), &e.value) {
        (Some("fmt"), _) => true,
        (Some("ref" | "secret"), ast::Value::String(text)) => text.contains(['{', '}']),
        (Some("param"), ast::Value::String(name)) => scope.in_module || scope.bound(name).is_some(),
        _ => false,
    };
    node.entries.iter().any(entry)
        || node.children.as_ref().is_some_and(|block| {
            block.nodes.iter().any(|n| matches!(n.name.value.as_str(), "for" | "if") || needs_expansion(n, scope))
        })
}
