//! `plugin` declarations: third-party plugins by path, pinned by sha256.

use stackc_diag::{Diagnostic, Diagnostics, Spanned, did_you_mean};
use stackc_model::{PluginDecl, Sha256Digest};
use stackc_syntax::ast;

use crate::node::{NodeProps, check_children, duplicate, name_arg};

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
        let props = NodeProps::new(node, &["path", "sha256"], diagnostics);
        check_children(node, diagnostics);
        let path = props.string("path", diagnostics);
        let sha256 = props.string("sha256", diagnostics);
        let example = format!("plugin \"{}\" path=\"plugins/{}.wasm\" sha256=\"…\"", name.value, name.value);
        if path.is_none() && props.get("path").is_none() {
            diagnostics.push(
                Diagnostic::error("stackc::plugin::path", format!("plugin `{}` has no path", name.value))
                    .at(name.span, "missing `path=`")
                    .with_help(format!("name the component file, relative to this file: `{example}`")),
            );
        }
        if sha256.is_none() && props.get("sha256").is_none() {
            diagnostics.push(
                Diagnostic::error("stackc::plugin::sha256", format!("plugin `{}` is not pinned", name.value))
                    .at(name.span, "missing `sha256=`")
                    .with_help(
                        "a third-party plugin is declared with the sha256 of its component; \
                         `stackc plugin build` and `sha256sum` print it",
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
        let (Some(path), Some(sha256)) = (path, sha256) else { continue };
        if let Some(first) = declared.iter().find(|p| p.name.value == name.value) {
            diagnostics.push(duplicate("plugin", &name, first.name.span));
            continue;
        }
        declared.push(PluginDecl { name, path, sha256, span });
    }
    declared
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
