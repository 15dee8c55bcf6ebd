//! `module "name" path="file.kdl" { arg value … }`: a file's hosts, services and the like,
//! made once per instance, its params bound to the instance's arguments.
//!
//! A module sees its own params, the loop variables of its own `for` loops and `instance` (the
//! instance's name), never the stack's params: what it depends on is in its arguments. Names
//! it declares are global, so a module meant to be instantiated more than once builds them
//! from `instance`: `service (fmt)"{instance}-web" …`; two instances declaring one name are
//! reported as duplicates, with both instantiations.
//!
//! Each instance reads the module file as a source of its own, so every span inside it belongs
//! to one instance; [`annotate`] then adds to each diagnostic there where the instance was
//! made.

use stackc_diag::{Diagnostic, Diagnostics, FileId, Span, Spanned, did_you_mean};
use stackc_model::{ParamType, Value, ValueKind};
use stackc_syntax::ast;

use super::Expander;
use super::scope::{Binding, Bound, Scope};
use crate::load::LoadError;
use crate::node::{NodeProps, check_identifier, name_arg, scalar};
use crate::params;

/// How deep modules may instantiate modules.
const MAX_DEPTH: usize = 16;

/// One instance: the source it read its module file as, and where it was made.
pub(super) struct Instance {
    file: FileId,
    name: String,
    at: Span,
}

/// Adds "in module instance `x`, made here" to every diagnostic inside an instance, for each
/// instance it is nested in.
pub(super) fn annotate(instances: &[Instance], diagnostics: &mut Diagnostics) {
    if instances.is_empty() {
        return;
    }
    for diagnostic in diagnostics.iter_mut() {
        let Some(mut file) = diagnostic.span.map(|s| s.file) else { continue };
        while let Some(instance) = instances.iter().find(|i| i.file == file) {
            let message = format!("in module instance `{}`, made here", instance.name);
            diagnostic.secondary.push(stackc_diag::Label { span: instance.at, message });
            file = instance.at.file;
        }
    }
}

/// An argument of an instance: `name value…`.
struct Argument {
    name: Spanned<String>,
    value: Bound,
    span: Span,
}

impl Expander<'_> {
    pub(super) fn instantiate(&mut self, node: &ast::Node, scope: &Scope<'_>, out: &mut Vec<ast::Node>) {
        let Some(name) = name_arg(node, "module", self.diagnostics) else { return };
        if !check_identifier(&name.value, name.span, "module instance", self.diagnostics) {
            return;
        }
        let props = NodeProps::new(node, &["path"], self.diagnostics);
        let Some(path) = props.string("path", self.diagnostics) else {
            if props.get("path").is_none() {
                self.diagnostics.push(
                    Diagnostic::error("stackc::module::path", format!("module `{}` names no file", name.value))
                        .at(name.span, "missing `path=`")
                        .with_help("add `path=\"modules/web.kdl\"`, relative to this file"),
                );
            }
            return;
        };
        let arguments = self.arguments(node, scope);
        let from = self.sources.get(node.span.file).name.clone();
        let loaded = match self.loader.load(&path.value, Some(&from)) {
            Ok(loaded) => loaded,
            Err(LoadError(why)) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "stackc::module::unreadable",
                        format!("cannot read module `{}`: {why}", path.value),
                    )
                    .at(path.span, "module file")
                    .with_help("module paths are relative to the file that names them"),
                );
                return;
            }
        };
        if self.modules.contains(&loaded.key) || self.modules.len() >= MAX_DEPTH {
            self.diagnostics.push(
                Diagnostic::error("stackc::module::cycle", format!("module `{}` instantiates itself", loaded.name))
                    .at(path.span, "instantiated again here")
                    .with_help("a module may not make an instance of itself, directly or through others"),
            );
            return;
        }
        let file = self.sources.add(loaded.name, loaded.text);
        let parsed = stackc_syntax::parse(file, &self.sources.get(file).text);
        self.diagnostics.extend(parsed.diagnostics);
        let Some(document) = parsed.document else { return };
        self.instances.push(Instance { file, name: name.value.clone(), at: name.span });

        let mut bindings = vec![Binding {
            name: "instance".to_owned(),
            value: Bound::Scalar(ast::Value::String(name.value.clone())),
            span: name.span,
        }];
        // The stack's facts (its name) are the module's too.
        bindings.extend(scope.bindings.iter().filter(|b| b.name == "stack").cloned());
        let mut used = vec![false; arguments.len()];
        for param_node in document.nodes.iter().filter(|n| n.name.value == "param") {
            let Some((param, _)) = params::declare(param_node, self.diagnostics) else { continue };
            let given = arguments.iter().position(|a| a.name.value == param.name.value);
            let value = match given {
                Some(i) => {
                    used[i] = true;
                    self.argument_value(&arguments[i], &param)
                }
                None if matches!(param.value.kind, ValueKind::Null) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "stackc::module::missing-argument",
                            format!("module instance `{}` needs argument `{}`", name.value, param.name.value),
                        )
                        .at(name.span, format!("no `{}` given", param.name.value))
                        .with_secondary(param.name.span, "declared here without a default")
                        .with_help(format!("add `{} …` inside `module \"{}\" {{ … }}`", param.name.value, name.value)),
                    );
                    None
                }
                None => Bound::of_param(&param.value),
            };
            // A missing or ill-fitting argument is bound to null, so that its uses in the
            // module stay quiet: the instance already has its error.
            let value = value.unwrap_or(Bound::Scalar(ast::Value::Null));
            bindings.push(Binding { name: param.name.value.clone(), value, span: param.name.span });
        }
        for (argument, used) in arguments.iter().zip(used) {
            if !used {
                let declared = document.nodes.iter().filter(|n| n.name.value == "param").filter_map(|n| {
                    match &n.entries.first()?.value {
                        ast::Value::String(s) => Some(s.as_str()),
                        _ => None,
                    }
                });
                let help = did_you_mean(&argument.name.value, declared)
                    .unwrap_or_else(|| format!("`{path}` declares the params an instance takes", path = path.value));
                self.diagnostics.push(
                    Diagnostic::error(
                        "stackc::module::unknown-argument",
                        format!("module `{}` has no param `{}`", path.value, argument.name.value),
                    )
                    .at(argument.name.span, "no such param")
                    .with_help(help),
                );
            }
        }

        self.modules.push(loaded.key);
        let inner = Scope::module(bindings, scope.secrets);
        for node in document.nodes {
            match node.name.value.as_str() {
                "param" => {}
                "stack" | "include" => self.diagnostics.push(
                    Diagnostic::error("stackc::module::declaration", format!("`{}` in a module", node.name.value))
                        .at(node.name.span, "not allowed in a module")
                        .with_help("a module holds params, secrets, hosts, services, plugins and modules"),
                ),
                _ => self.top(node, &inner, out),
            }
        }
        self.modules.pop();
    }

    /// The children of a `module` node: `name value`, `name v1 v2 …` (a list) or `name` (true).
    fn arguments(&mut self, node: &ast::Node, scope: &Scope<'_>) -> Vec<Argument> {
        let mut arguments: Vec<Argument> = Vec::new();
        for child in node.children.iter().flat_map(|c| &c.nodes) {
            let name = Spanned::new(child.name.value.clone(), child.name.span);
            let property = child.entries.iter().find(|e| e.name.is_some()).map(|e| e.span);
            if let Some(unexpected) = property.or(child.children.as_ref().map(|c| c.span)) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "stackc::module::argument",
                        format!("argument `{}` takes values only", name.value),
                    )
                    .at(unexpected, "unexpected")
                    .with_help(format!("write `{} \"value\"`, or `{} \"a\" \"b\"` for a list", name.value, name.value)),
                );
                continue;
            }
            let mut values: Vec<Bound> = child.entries.iter().filter_map(|e| self.value(e, scope)).collect();
            if values.len() != child.entries.len() {
                continue; // reported
            }
            let value = match values.len() {
                0 => Bound::Scalar(ast::Value::Bool(true)),
                1 => values.remove(0),
                _ => Bound::List(
                    values
                        .into_iter()
                        .flat_map(|v| match v {
                            Bound::Scalar(v) => vec![v],
                            Bound::List(items) => items,
                        })
                        .collect(),
                ),
            };
            if let Some(first) = arguments.iter().find(|a| a.name.value == name.value) {
                self.diagnostics.push(
                    Diagnostic::error("stackc::module::argument", format!("argument `{}` is given twice", name.value))
                        .at(name.span, "given again here")
                        .with_secondary(first.name.span, "first given here"),
                );
                continue;
            }
            arguments.push(Argument { name, value, span: child.span });
        }
        arguments
    }

    /// An argument's value checked against the param it binds.
    fn argument_value(&mut self, argument: &Argument, param: &stackc_model::Param) -> Option<Bound> {
        // One value given to a list param is a list of one.
        let given = match (&argument.value, param.ty) {
            (Bound::Scalar(value), ParamType::List(_)) => Bound::List(vec![value.clone()]),
            (given, _) => given.clone(),
        };
        let value = match &given {
            Bound::Scalar(value) => scalar(value, argument.span),
            Bound::List(items) => {
                Value::new(ValueKind::List(items.iter().map(|v| scalar(v, argument.span)).collect()), argument.span)
            }
        };
        let checked = params::check_value(param, value).map(|_| ());
        match checked {
            Ok(()) => Some(given),
            Err(why) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "stackc::module::argument-type",
                        format!("argument `{}` does not fit its param: {why}", argument.name.value),
                    )
                    .at(argument.span, format!("expected {}", params::describe_type(param)))
                    .with_secondary(param.name.span, "param declared here"),
                );
                None
            }
        }
    }
}
