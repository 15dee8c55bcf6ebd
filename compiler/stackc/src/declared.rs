//! Third-party plugins a stack declares: read from a file or fetched from a registry, checked
//! against their pinned sha256 and, when the stack names trusted keys, their signature, before
//! anything is compiled; then compiled (through the cache) and loaded. Every failure is a
//! diagnostic at the declaration that names the services depending on it.

use std::collections::BTreeMap;

use stackc_bundle::lock::PluginSource;
use stackc_diag::{Diagnostic, Diagnostics, Sources};
use stackc_model::{PluginDecl, PluginOrigin, Sha256Digest, Stack};
use stackc_plugin_host::{Compiled, Plugin};
use stackc_resolve::{LoadError, Published, SourceLoader};
use stackc_signature::{SignatureError, Signer, TrustedKey};

use crate::plugins::Plugins;

/// A declared plugin that loaded.
pub(crate) struct Declared {
    pub(crate) plugin: Plugin,
    /// Where it came from, as the lockfile records it: the component file as the loader names
    /// it (relative to where stackc runs), or the registry reference.
    pub(crate) source: PluginSource,
    /// The trusted key whose signature verified, when the stack requires one.
    pub(crate) signer: Option<Signer>,
    pub(crate) compiled: Compiled,
}

pub(crate) fn load_declared(
    stack: &Stack,
    sources: &Sources,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Declared> {
    let mut loaded = BTreeMap::new();
    for decl in &stack.plugins {
        match load_one(decl, sources, loader, plugins) {
            Ok(declared) => {
                loaded.insert(decl.name.value.clone(), declared);
            }
            Err(diagnostic) => diagnostics.push(with_users(*diagnostic, stack, decl)),
        }
    }
    loaded
}

/// A component's bytes and signature, and where they came from.
struct Fetched {
    source: PluginSource,
    published: Published,
}

/// What messages call a component: the file as the loader names it, or the reference.
fn shown(source: &PluginSource) -> &str {
    match source {
        PluginSource::File(file) | PluginSource::Oci(file) => file,
        PluginSource::Builtin => "built in",
    }
}

fn load_one(
    decl: &PluginDecl,
    sources: &Sources,
    loader: &dyn SourceLoader,
    plugins: &Plugins,
) -> Result<Declared, Box<Diagnostic>> {
    let name = &decl.name.value;
    let trusted = trusted_keys(decl)?;
    let Fetched { source, published } = fetch(decl, !trusted.is_empty(), sources, loader)?;
    let file = shown(&source);
    let actual = Sha256Digest::of(&published.bytes);
    if actual != decl.sha256.value {
        return Err(Box::new(
            Diagnostic::error(
                "stackc::plugin::digest-mismatch",
                format!("plugin `{name}`: `{file}` does not match its pinned sha256"),
            )
            .at(decl.sha256.span, format!("expected {}", decl.sha256.value))
            .with_help(format!(
                "actual sha256 {actual}: the component changed since it was pinned, so it was not \
             run; if you rebuilt it yourself, review the change and pin the new digest"
            )),
        ));
    }
    let signer = match trusted.is_empty() {
        true => None,
        false => Some(check_signature(decl, file, &published, &trusted)?),
    };
    let written = decl.origin.written();
    let (plugin, compiled) = plugins.load_third_party(&published.bytes).map_err(|error| {
        Box::new(
            Diagnostic::error("stackc::plugin::load", format!("plugin `{name}` cannot be used: {error}"))
                .at(written.span, format!("loaded from `{file}`"))
                .with_help(load_help(&error)),
        )
    })?;
    let calls_itself = &plugin.info().name;
    if calls_itself != name {
        let property = match decl.origin {
            PluginOrigin::Path(_) => "path",
            PluginOrigin::Oci(_) => "oci",
        };
        return Err(Box::new(
            Diagnostic::error(
                "stackc::plugin::name-mismatch",
                format!("the component `{file}` is plugin `{calls_itself}`, not `{name}`"),
            )
            .at(decl.name.span, "declared under this name")
            .with_help(format!(
                "declare it as `plugin \"{calls_itself}\"`, or point `{property}=` at the `{name}` component"
            )),
        ));
    }
    Ok(Declared { plugin, source, signer, compiled })
}

/// Reads the component file or asks the loader for the published component; with `signed`,
/// also the signature (for a file: the `.sig` file beside it, as `ssh-keygen -Y sign` writes).
fn fetch(
    decl: &PluginDecl,
    signed: bool,
    sources: &Sources,
    loader: &dyn SourceLoader,
) -> Result<Fetched, Box<Diagnostic>> {
    let name = &decl.name.value;
    match &decl.origin {
        PluginOrigin::Path(path) => {
            let from = &sources.get(path.span.file).name;
            let (file, bytes) = loader.load_bytes(&path.value, from).map_err(|LoadError(why)| {
                Box::new(
                    Diagnostic::error(
                        "stackc::plugin::unreadable",
                        format!("plugin `{name}`: cannot read `{}`: {why}", path.value),
                    )
                    .at(path.span, "the component file")
                    .with_help(
                        "the path is relative to the file that declares the plugin; `stackc plugin build` \
                         writes the component",
                    ),
                )
            })?;
            let signature = signed
                .then(|| loader.load_bytes(&format!("{}.sig", path.value), from).ok().map(|(_, sig)| sig))
                .flatten();
            let published = Published { bytes, signature };
            Ok(Fetched { source: PluginSource::File(file), published })
        }
        PluginOrigin::Oci(reference) => {
            let published = loader.load_published(&reference.value, &decl.sha256.value).map_err(|LoadError(why)| {
                Box::new(
                    Diagnostic::error(
                        "stackc::plugin::unfetchable",
                        format!("plugin `{name}`: cannot fetch `{}`: {why}", reference.value),
                    )
                    .at(reference.span, "the published component")
                    .with_help(format!(
                        "a published plugin is fetched once into stackc's cache; `stackc plugin pull {}` \
                         fetches it ahead of an offline (`--locked`) build",
                        reference.value
                    )),
                )
            })?;
            Ok(Fetched { source: PluginSource::Oci(reference.value.clone()), published })
        }
    }
}

/// The stack's `signed-by` keys, each checked where it is written.
fn trusted_keys(decl: &PluginDecl) -> Result<Vec<TrustedKey>, Box<Diagnostic>> {
    decl.signed_by
        .iter()
        .map(|key| {
            TrustedKey::parse(&key.value).map_err(|error| {
                Box::new(
                    Diagnostic::error(
                        "stackc::plugin::signed-by",
                        format!("plugin `{}`: a trusted key cannot be used: {error}", decl.name.value),
                    )
                    .at(key.span, "not an Ed25519 public key")
                    .with_help("copy the signer's `.pub` file: `ssh-ed25519 AAAA… name@example.org`"),
                )
            })
        })
        .collect()
}

fn check_signature(
    decl: &PluginDecl,
    file: &str,
    published: &Published,
    trusted: &[TrustedKey],
) -> Result<Signer, Box<Diagnostic>> {
    let name = &decl.name.value;
    let written = decl.origin.written();
    // The fingerprint goes in the label, which is never wrapped: a message is one line.
    let refused = |message: String, label: String, help: String| {
        let mut diagnostic =
            Diagnostic::error("stackc::plugin::signature", message).at(written.span, label).with_help(help);
        for key in &decl.signed_by {
            diagnostic = diagnostic.with_secondary(key.span, "trusted to sign it");
        }
        Box::new(diagnostic)
    };
    let Some(signature) = &published.signature else {
        let where_from = match decl.origin {
            PluginOrigin::Path(_) => format!("no `{file}.sig` beside it"),
            PluginOrigin::Oci(_) => "the registry holds no signature of it".to_owned(),
        };
        return Err(refused(
            format!("plugin `{name}` is not signed, and this stack trusts only signed components"),
            format!("`{file}`: {where_from}"),
            format!(
                "the publisher signs it with `stackc plugin publish --sign-key` or \
                 `ssh-keygen -Y sign -n {}`",
                stackc_signature::NAMESPACE
            ),
        ));
    };
    stackc_signature::verify(signature, &published.bytes, trusted).map_err(|error| match error {
        SignatureError::Untrusted { fingerprint } => refused(
            format!("plugin `{name}` is signed by a key this stack does not trust"),
            format!("signed by {fingerprint}"),
            "if you trust this signer, add its public key as a `signed-by` child; otherwise do not use \
             this component"
                .to_owned(),
        ),
        SignatureError::DoesNotVerify { fingerprint } => refused(
            format!("plugin `{name}`: the signature does not match the component's bytes"),
            format!("signature by {fingerprint}"),
            "the component is not the one that was signed, so it was not run".to_owned(),
        ),
        other => refused(
            format!("plugin `{name}`: the signature cannot be checked"),
            other.to_string(),
            "ask the publisher to sign the component again".to_owned(),
        ),
    })
}

fn load_help(error: &stackc_plugin_host::LoadError) -> String {
    use stackc_plugin_host::LoadError as E;
    match error {
        E::ForbiddenImports(_) => "plugins may import only `stackc:plugin/host`; build it with \
            `stackc plugin build` for `wasm32-unknown-unknown`, which imports no WASI"
            .to_owned(),
        E::WitVersion { found, supported } => format!(
            "rebuild the plugin against an SDK for WIT {supported} (it was built for {found}), \
             or use a stackc that supports WIT {found}"
        ),
        E::NotAPlugin => "a plugin exports `stackc:plugin/service-plugin`; register it with \
            `register_plugin!`"
            .to_owned(),
        E::Invalid(_) | E::Engine(_) => "rebuild it with `stackc plugin build`".to_owned(),
    }
}

/// Names the services that use the plugin, so a failure reads as theirs too.
fn with_users(mut diagnostic: Diagnostic, stack: &Stack, decl: &PluginDecl) -> Diagnostic {
    let users: Vec<_> = stack.services.iter().filter(|s| s.plugin.value == decl.name.value).collect();
    if !users.is_empty() {
        let list = users.iter().map(|u| format!("`{}`", u.name.value)).collect::<Vec<_>>().join(", ");
        let noun = if users.len() == 1 { "service" } else { "services" };
        diagnostic.message = format!("{} (used by {noun} {list})", diagnostic.message);
    }
    for service in users {
        diagnostic =
            diagnostic.with_secondary(service.plugin.span, format!("service `{}` uses it", service.name.value));
    }
    diagnostic
}
