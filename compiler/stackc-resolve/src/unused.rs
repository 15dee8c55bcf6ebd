//! Warnings for declarations nothing uses: a param that no `(param)` or placeholder names, a
//! secret that no `(secret)` names, a host that no service is placed on. Usually a typo or a
//! leftover; a warning, so that the build goes on (`--deny warnings` makes them errors).

use std::collections::BTreeSet;

use stackc_diag::{Diagnostic, Diagnostics};
use stackc_model::Stack;
use stackc_syntax::ast;

/// The names the stack's text reads as params: `(param)"x"`, and `{x}` in `(fmt)`, `(ref)` and
/// `(secret)` strings. Read from the files before expansion, so that what a loop or condition
/// uses counts even when it makes nothing.
pub(crate) fn params_read(documents: &[ast::Document]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pending: Vec<&ast::Node> = documents.iter().flat_map(|d| &d.nodes).collect();
    while let Some(node) = pending.pop() {
        for entry in &node.entries {
            let (Some(ty), ast::Value::String(text)) = (entry.ty.as_deref(), &entry.value) else { continue };
            match ty.value.as_str() {
                "param" => {
                    names.insert(text.clone());
                }
                "fmt" | "ref" | "secret" => names.extend(placeholder_names(text)),
                _ => {}
            }
        }
        pending.extend(node.children.iter().flat_map(|c| &c.nodes));
    }
    names
}

/// The names at the start of `{…}` placeholders (`{{` is a brace, not a placeholder).
fn placeholder_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            continue;
        }
        let name: String = rest.trim_start().chars().take_while(|c| !c.is_whitespace() && *c != '}').collect();
        names.push(name);
    }
    names
}

/// The secrets named by `(secret)` anywhere in the expanded declarations.
pub(crate) fn secrets_read(nodes: &[ast::Node]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pending: Vec<&ast::Node> = nodes.iter().collect();
    while let Some(node) = pending.pop() {
        for entry in &node.entries {
            if let (Some(ty), ast::Value::String(name)) = (entry.ty.as_deref(), &entry.value)
                && ty.value == "secret"
            {
                names.insert(name.clone());
            }
        }
        pending.extend(node.children.iter().flat_map(|c| &c.nodes));
    }
    names
}

pub(crate) fn warn(
    stack: &Stack,
    params: &BTreeSet<String>,
    secrets: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    for param in stack.params.iter().filter(|p| !params.contains(&p.name.value)) {
        diagnostics.push(
            Diagnostic::warning("stackc::unused::param", format!("param `{}` is never used", param.name.value))
                .at(param.name.span, "declared here")
                .with_help(format!("use it as `(param)\"{}\"`, or remove it", param.name.value)),
        );
    }
    for secret in stack.secrets.iter().filter(|s| !secrets.contains(&s.name.value)) {
        diagnostics.push(
            Diagnostic::warning("stackc::unused::secret", format!("secret `{}` is never used", secret.name.value))
                .at(secret.name.span, "declared here")
                .with_help(format!("pass it to a service as `(secret)\"{}\"`, or remove it", secret.name.value)),
        );
    }
    let placed: BTreeSet<usize> = stack.services.iter().flat_map(|s| s.hosts.iter().copied()).collect();
    for host in stack.hosts.iter().enumerate().filter(|(i, _)| !placed.contains(i)).map(|(_, h)| h) {
        diagnostics.push(
            Diagnostic::warning("stackc::unused::host", format!("host `{}` runs no service", host.name.value))
                .at(host.name.span, "declared here")
                .with_help("place a service on it (`on=` with its name or one of its groups), or remove it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::placeholder_names;

    #[test]
    fn placeholders() {
        assert_eq!(placeholder_names("a{x}b{ y + 1 }{{z}}"), ["x", "y"]);
        assert_eq!(placeholder_names("none"), Vec::<String>::new());
    }
}
