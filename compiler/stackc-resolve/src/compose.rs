//! The `compose` declaration: the stack's Docker Compose project.
//!
//! ```kdl
//! compose "octopus"
//! service "db" plugin="postgres" on="octopus" { … }
//! ```
//!
//! A stack has at most one project; `on=` names it as it names a host or a group, so its name
//! may be neither.

use stackc_diag::{Diagnostic, Diagnostics};
use stackc_model::{ComposeProject, Host};
use stackc_syntax::ast;

use crate::node::{NodeProps, check_children, name_arg};

pub(crate) fn resolve_compose(
    nodes: &[&ast::Node],
    hosts: &[Host],
    diagnostics: &mut Diagnostics,
) -> Option<ComposeProject> {
    let (&first, rest) = nodes.split_first()?;
    for &extra in rest {
        diagnostics.push(
            Diagnostic::error("stackc::compose::second", "a stack has one Compose project")
                .at(extra.name().span(), "declared again here")
                .with_secondary(first.name().span(), "first declared here")
                .with_help("place every container service on the first project"),
        );
    }
    let name = name_arg(first, "compose", diagnostics)?;
    NodeProps::new(first, &[], diagnostics);
    check_children(first, diagnostics);
    // Compose takes lower-case letters, digits, `-` and `_`, starting with a letter or digit.
    let valid = name.value.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid {
        diagnostics.push(
            Diagnostic::error("stackc::compose::name", format!("`{}` is not a Compose project name", name.value))
                .at(name.span, "invalid project name")
                .with_help("Compose project names use lower-case letters, digits, `-` and `_`"),
        );
        return None;
    }
    let clash = hosts.iter().find(|h| h.name.value == name.value || h.groups.iter().any(|g| g.value == name.value));
    if let Some(host) = clash {
        let what = if host.name.value == name.value { "a host" } else { "a group" };
        diagnostics.push(
            Diagnostic::error(
                "stackc::compose::name",
                format!("`{}` names both the Compose project and {what}", name.value),
            )
            .at(name.span, "the project")
            .with_secondary(host.name.span, format!("{what} of this name"))
            .with_help("`on=` would be ambiguous: rename one"),
        );
        return None;
    }
    Some(ComposeProject { name, span: first.span() })
}
