//! `stackc plugin publish DIR|FILE REF`: a plugin crate (built first) or a component, verified
//! as a stack would load it, pushed to an OCI registry, with its signature when it is signed;
//! prints the declaration that pins it.

use std::path::Path;

use stackc_model::Sha256Digest;

use crate::args::PluginPublishArgs;
use crate::commands::ExitStatus;
use crate::loader::io_reason;
use crate::registry::{Described, Registry};

pub fn run(args: &PluginPublishArgs) -> ExitStatus {
    match publish(args) {
        Ok(()) => ExitStatus::Success,
        Err((status, message)) => {
            eprintln!("error: {message}");
            status
        }
    }
}

type Failure = (ExitStatus, String);

fn publish(args: &PluginPublishArgs) -> Result<(), Failure> {
    // A crate is verified as it is built; a file is verified here. Either way it loads as a
    // stack would load it before anything is pushed.
    let (component, info) = match args.plugin.is_dir() {
        true => {
            let built = super::build::build(&args.plugin)
                .map_err(|status| (status, "the plugin crate did not build".to_owned()))?;
            (built.component, built.info)
        }
        false => {
            let component = read(&args.plugin)?;
            let info = stackc::inspect_component(&component).map_err(|error| {
                (
                    ExitStatus::Failure,
                    format!("`{}` cannot be used as a plugin, so it was not published: {error}", args.plugin.display()),
                )
            })?;
            (component, info)
        }
    };
    let interface = stackc::component_interface(&component)
        .map_err(|error| (ExitStatus::Failure, format!("`{}` is not a component: {error}", args.plugin.display())))?;
    let signature = signature(args, &component)?;
    let registry = Registry::new(&args.reference).map_err(|e| (ExitStatus::Error, e.0))?;
    let described = Described {
        name: &info.name,
        version: &info.version,
        summary: &info.summary,
        imports: &interface.imports,
        exports: &interface.exports,
    };
    let sha256 = Sha256Digest::of(&component);
    let manifest = registry.push_component(&component, &described).map_err(|e| (ExitStatus::Error, e.0))?;
    if let Some(signature) = &signature {
        registry.push_signature(&sha256, signature.text.as_bytes()).map_err(|e| (ExitStatus::Error, e.0))?;
    }
    let wit = interface.wit_version().unwrap_or_else(|| stackc::WIT_VERSION.to_owned());
    outln!("published plugin `{}` {} (WIT {wit}) to {}", info.name, info.version, args.reference);
    outln!("sha256   {sha256}");
    outln!("manifest {manifest}");
    match &signature {
        Some(signature) => outln!("signed by {}", signature.fingerprint),
        None => outln!("unsigned (`--sign-key` signs it)"),
    }
    outln!();
    outln!("declare it in a stack file with:");
    match &signature {
        Some(signature) => {
            outln!("plugin \"{}\" oci=\"{}\" sha256=\"{sha256}\" {{", info.name, args.reference);
            outln!("    signed-by \"{}\"", signature.public_key);
            outln!("}}");
        }
        None => outln!("plugin \"{}\" oci=\"{}\" sha256=\"{sha256}\"", info.name, args.reference),
    }
    Ok(())
}

struct Signature {
    text: String,
    fingerprint: String,
    /// The signer's public key line, for `signed-by`.
    public_key: String,
}

/// The component's signature: made with `--sign-key`, or read from `--signature` (as
/// `ssh-keygen -Y sign` writes it) and checked against the component before anything is pushed.
fn signature(args: &PluginPublishArgs, component: &[u8]) -> Result<Option<Signature>, Failure> {
    let refused = |error: stackc_signature::SignatureError| (ExitStatus::Error, error.to_string());
    if let Some(key_file) = &args.sign_key {
        let key = String::from_utf8(read(key_file)?)
            .map_err(|_| (ExitStatus::Error, format!("`{}` is not an OpenSSH private key", key_file.display())))?;
        let text = stackc_signature::sign(&key, component).map_err(refused)?;
        let signed = stackc_signature::signed_by(text.as_bytes(), component).map_err(refused)?;
        let public_key = stackc_signature::public_key_of(&key).map_err(refused)?;
        return Ok(Some(Signature { text, fingerprint: signed.fingerprint, public_key }));
    }
    if let Some(file) = &args.signature {
        let text = String::from_utf8(read(file)?)
            .map_err(|_| (ExitStatus::Error, format!("`{}` is not an SSH signature", file.display())))?;
        let signed = stackc_signature::signed_by(text.as_bytes(), component)
            .map_err(|error| (ExitStatus::Error, format!("`{}`: {error}", file.display())))?;
        return Ok(Some(Signature { text, fingerprint: signed.fingerprint, public_key: signed.public_key }));
    }
    Ok(None)
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|error| (ExitStatus::Error, format!("cannot read `{}`: {}", path.display(), io_reason(&error))))
}
