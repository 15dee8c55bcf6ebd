//! `plugin` declarations: third-party plugins by path or OCI reference, pinned by sha256,
//! with the keys trusted to sign them.

use stackc_diag::{Diagnostic, Diagnostics, Spanned, did_you_mean};
use stackc_model::{PluginDecl, PluginOrigin, Sha256Digest};
use stackc_syntax::ast;

use crate::node::{NodeProps, duplicate, name_arg};

/// Resolves the declarations; a declaration that is wrong is reported and left out.
pub(crate) fn resolve_plugins(
    nodes: &[&ast::Node],
    builtin: &[&str],
    diagnostics: &mut Diagnostics,
) -> Vec<PluginDecl> {
    let mut declared: Vec<PluginDecl> = Vec::new();
    for &node in nodes {
        let span = node.span();
        let Some(name) = name_arg(node, "plugin", diagnostics) else { continue };
        let props = NodeProps::new(node, &["path", "oci", "sha256"], diagnostics);
        let signed_by = signed_by(node, diagnostics);
        let origin = origin(&props, &name, diagnostics);
        let sha256 = props.string("sha256", diagnostics);
        if sha256.is_none() && props.get("sha256").is_none() {
            diagnostics.push(
                Diagnostic::error("stackc::plugin::sha256", format!("plugin `{}` is not pinned", name.value))
                    .at(name.span, "missing `sha256=`")
                    .with_help(
                        "a third-party plugin is declared with the sha256 of its component; \
                         `stackc plugin build`, `stackc plugin pull` and `sha256sum` print it",
                    ),
            );
        }
        let sha256 = sha256.and_then(|digest| match Sha256Digest::from_hex(&digest.value) {
            Ok(parsed) => Some(Spanned::new(parsed, digest.span)),
            Err(_) => {
                diagnostics.push(
                    Diagnostic::error("stackc::plugin::sha256", "`sha256` must be 64 lower-case hex digits")
                        .at(digest.span, "not a sha256 digest")
                        .with_help("copy the digest `stackc plugin build` or `sha256sum` prints"),
                );
                None
            }
        });
        if builtin.contains(&name.value.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::plugin::builtin-name",
                    format!("`{}` is the name of a built-in plugin", name.value),
                )
                .at(name.span, "already built in")
                .with_help("give the third-party plugin a name of its own, in its `Plugin::NAME` and here"),
            );
            continue;
        }
        let (Some(origin), Some(sha256)) = (origin, sha256) else { continue };
        if let Some(first) = declared.iter().find(|p| p.name.value == name.value) {
            diagnostics.push(duplicate("plugin", &name, first.name.span));
            continue;
        }
        declared.push(PluginDecl { name, origin, sha256, signed_by, span });
    }
    declared
}

/// `path=` or `oci=`: exactly one of them.
fn origin(props: &NodeProps<'_>, name: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<PluginOrigin> {
    let path = props.string("path", diagnostics);
    let oci = props.string("oci", diagnostics);
    match (path, oci) {
        (Some(path), None) => Some(PluginOrigin::Path(path)),
        (None, Some(oci)) => Some(PluginOrigin::Oci(oci)),
        (Some(_), Some(oci)) => {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::plugin::origin",
                    format!("plugin `{}` has both `path=` and `oci=`", name.value),
                )
                .at(oci.span, "a second origin")
                .with_help("a plugin comes from one place: a component file or a registry, not both"),
            );
            None
        }
        (None, None) => {
            if props.get("path").is_none() && props.get("oci").is_none() {
                let example = format!("plugin \"{0}\" path=\"plugins/{0}.wasm\" sha256=\"…\"", name.value);
                diagnostics.push(
                    Diagnostic::error("stackc::plugin::path", format!("plugin `{}` has no path", name.value))
                        .at(name.span, "missing `path=` or `oci=`")
                        .with_help(format!(
                            "name the component file, relative to this file (`{example}`), or its \
                             registry reference (`oci=\"registry.example.org/plugins/{}:1.0.0\"`)",
                            name.value
                        )),
                );
            }
            None
        }
    }
}

/// The `signed-by` children: OpenSSH public key lines, one per child.
fn signed_by(node: &ast::Node, diagnostics: &mut Diagnostics) -> Vec<Spanned<String>> {
    let mut keys = Vec::new();
    for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
        if child.name().value() != "signed-by" {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::plugin::child",
                    format!("unknown `{}` in a `plugin` declaration", child.name().value()),
                )
                .at(child.name().span(), "unknown")
                .with_help(
                    did_you_mean(child.name().value(), ["signed-by"])
                        .unwrap_or_else(|| "a plugin declaration takes `signed-by` children only".to_owned()),
                ),
            );
            continue;
        }
        if child.children().is_some_and(|c| !c.nodes().is_empty()) || child.entries().is_empty() {
            diagnostics.push(signed_by_help(child.span(), "expected one public key"));
        }
        for entry in child.entries() {
            match (entry.name(), entry.value()) {
                (None, ast::Value::String(key)) => keys.push(Spanned::new(key.clone(), entry.span())),
                _ => diagnostics.push(signed_by_help(entry.span(), "expected a public key as a string")),
            }
        }
    }
    keys
}

fn signed_by_help(span: stackc_diag::Span, label: &str) -> Diagnostic {
    Diagnostic::error("stackc::plugin::signed-by", "`signed-by` takes an OpenSSH public key")
        .at(span, label.to_owned())
        .with_help("write `signed-by \"ssh-ed25519 AAAA… name@example.org\"`, as in the signer's `.pub` file")
}

/// The help for a `plugin=` that names no plugin.
pub(crate) fn unknown_plugin_help(name: &str, known: &[&str]) -> String {
    did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
        format!(
            "the available plugins are: {}; a third-party plugin is declared first with \
             `plugin \"{name}\" path=\"…\" sha256=\"…\"`",
            known.join(", ")
        )
    })
}
