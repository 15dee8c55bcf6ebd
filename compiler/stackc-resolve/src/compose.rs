//! The `compose` declaration: the stack's Docker Compose project.
//!
//! ```kdl
//! compose "octopus" {
//!     network "frontend"
//!     network "data" internal=#true
//! }
//! service "db" plugin="postgres" on="octopus" { … }
//! ```
//!
//! A stack has at most one project; `on=` names it as it names a host or a group, so its name
//! may be neither. Its networks are the stack's topology, declared once: containers join them
//! by name, and an internal network has no route out.

use stackc_diag::{Diagnostic, Diagnostics, did_you_mean};
use stackc_model::{ComposeNetwork, ComposeProject, Host};
use stackc_syntax::ast;

use crate::node::{NodeProps, check_children, duplicate, name_arg};

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
    let networks = networks(first, diagnostics);
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
    let clash = hosts.iter().find_map(|h| {
        if h.name.value == name.value {
            return Some(("a host", h.name.span));
        }
        h.groups.iter().find(|g| g.value == name.value).map(|g| ("a group", g.span))
    });
    if let Some((what, span)) = clash {
        diagnostics.push(
            Diagnostic::error(
                "stackc::compose::name",
                format!("`{}` names both the Compose project and {what}", name.value),
            )
            .at(name.span, "the project")
            .with_secondary(span, format!("{what} of this name"))
            .with_help("`on=` would be ambiguous: rename one"),
        );
        return None;
    }
    Some(ComposeProject { name, networks, span: first.span() })
}

/// The `network "name" internal=#true|#false` children.
fn networks(node: &ast::Node, diagnostics: &mut Diagnostics) -> Vec<ComposeNetwork> {
    let mut networks: Vec<ComposeNetwork> = Vec::new();
    for child in node.children().map_or(&[][..], ast::Document::nodes) {
        if child.name().value() != "network" {
            let help = did_you_mean(child.name().value(), ["network"])
                .unwrap_or_else(|| "a Compose project takes `network \"name\"` children".to_owned());
            diagnostics.push(
                Diagnostic::error(
                    "stackc::compose::unknown-child",
                    format!("unknown Compose setting `{}`", child.name().value()),
                )
                .at(child.name().span(), "not a Compose setting")
                .with_help(help),
            );
            continue;
        }
        let Some(name) = name_arg(child, "network", diagnostics) else { continue };
        let props = NodeProps::new(child, &["internal"], diagnostics);
        let internal = props.bool("internal", diagnostics).unwrap_or(false);
        check_children(child, diagnostics);
        if let Some(first) = networks.iter().find(|n| n.name.value == name.value) {
            diagnostics.push(duplicate("network", &name, first.name.span));
            continue;
        }
        networks.push(ComposeNetwork { name, internal, span: child.span() });
    }
    networks
}
