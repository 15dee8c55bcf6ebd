//! Pushing and pulling components and their signatures.

use std::fmt;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use stackc_model::Sha256Digest;

use super::auth::{PASSWORD_VAR, USERNAME_VAR, credentials};
use super::media::{self, Described};

/// The largest component or signature stackc downloads: a built-in plugin is about 1 MiB.
const MAX_BLOB_BYTES: i64 = 64 << 20;

/// A registry reference's client, with a runtime to drive it and the credentials for it.
pub struct Registry {
    reference: Reference,
    client: Client,
    auth: RegistryAuth,
    runtime: tokio::runtime::Runtime,
}

/// A component pulled from a registry, and its signature if the registry holds one.
pub struct Pulled {
    pub component: Vec<u8>,
    pub signature: Option<Vec<u8>>,
    /// The digest of the manifest the reference named.
    pub manifest: String,
}

/// Why talking to a registry failed, in a sentence.
#[derive(Debug)]
pub struct RegistryError(pub String);

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Registry {
    /// A client for `reference` (`registry/repository:tag` or `…@sha256:…`). Loopback
    /// registries (`localhost`, `127.0.0.0/8`, `[::1]`) are spoken to over plain HTTP, as
    /// Docker does; every other registry over HTTPS.
    pub fn new(reference: &str) -> Result<Registry, RegistryError> {
        let parsed: Reference = reference.parse().map_err(|e| {
            RegistryError(format!("`{reference}` is not an OCI reference ({e}); write `registry/repository:tag`"))
        })?;
        // Docker's rule: the first component names a registry when it has a dot or a port, or
        // is `localhost`; otherwise Docker Hub is meant, which stacks never mean implicitly.
        let first = reference.split('/').next().unwrap_or_default();
        if !reference.contains('/') || !(first.contains(['.', ':']) || first == "localhost") {
            return Err(RegistryError(format!(
                "`{reference}` names no registry; write the registry's host first, as in \
                 `registry.example.org/plugins/name:1.0.0`"
            )));
        }
        // Without a crypto provider installed, rustls (built without its default one) has
        // nothing to speak TLS with. Installing twice is harmless: the first one stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let registry = parsed.resolve_registry().to_owned();
        let protocol = match is_loopback(&registry) {
            true => ClientProtocol::HttpsExcept(vec![registry]),
            false => ClientProtocol::Https,
        };
        let client = Client::new(ClientConfig { protocol, ..ClientConfig::default() });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| RegistryError(format!("cannot start the network client: {e}")))?;
        // Read once: the Docker config may run a credential helper.
        let auth = credentials(parsed.resolve_registry());
        Ok(Registry { reference: parsed, client, auth, runtime })
    }

    /// The reference as the registry will be asked for it.
    pub fn reference(&self) -> String {
        self.reference.whole()
    }

    /// Pushes a component under the reference; returns the manifest's digest.
    pub fn push_component(&self, component: &[u8], described: &Described<'_>) -> Result<String, RegistryError> {
        let (manifest, config, layer) = media::component_artifact(component, described);
        let pushed =
            self.runtime.block_on(self.client.push(&self.reference, &[layer], config, &self.auth, Some(manifest)));
        let pushed = pushed.map_err(|e| self.failed("push to", &e))?;
        Ok(manifest_digest(&pushed.manifest_url))
    }

    /// Pushes the signature of `component` beside it.
    pub fn push_signature(&self, component: &Sha256Digest, signature: &[u8]) -> Result<(), RegistryError> {
        let target = self.signature_reference(component);
        let (manifest, config, layer) = media::signature_artifact(signature);
        let pushed = self.runtime.block_on(self.client.push(&target, &[layer], config, &self.auth, Some(manifest)));
        pushed.map(drop).map_err(|e| self.failed("push the signature to", &e))
    }

    /// Pulls the component the reference names, and its signature if there is one.
    pub fn pull(&self) -> Result<Pulled, RegistryError> {
        let (manifest, digest) = self
            .runtime
            .block_on(self.client.pull_image_manifest(&self.reference, &self.auth))
            .map_err(|e| self.failed("pull from", &e))?;
        let wasm: Vec<&OciDescriptor> = manifest.layers.iter().filter(|l| l.media_type == media::WASM_LAYER).collect();
        let [layer] = wasm.as_slice() else {
            return Err(RegistryError(format!(
                "`{}` is not a published component: its manifest has {} `{}` layers, not one",
                self.reference(),
                wasm.len(),
                media::WASM_LAYER
            )));
        };
        let component = self.blob(&self.reference, layer)?;
        let signature = self.signature(&Sha256Digest::of(&component))?;
        Ok(Pulled { component, signature, manifest: digest })
    }

    /// The signature of `component` in the reference's repository, if there is one.
    fn signature(&self, component: &Sha256Digest) -> Result<Option<Vec<u8>>, RegistryError> {
        let target = self.signature_reference(component);
        let manifest = match self.runtime.block_on(self.client.pull_image_manifest(&target, &self.auth)) {
            Ok((manifest, _)) => manifest,
            Err(error) if not_found(&error) => return Ok(None),
            Err(error) => return Err(self.failed("look for a signature in", &error)),
        };
        match manifest.layers.iter().find(|l| l.media_type == media::SIGNATURE) {
            Some(layer) => self.blob(&target, layer).map(Some),
            None => Err(RegistryError(format!(
                "`{}` is not a signature: it has no `{}` layer",
                target.whole(),
                media::SIGNATURE
            ))),
        }
    }

    /// A blob, refused before it is downloaded when it is too large, and checked against its
    /// descriptor's digest.
    fn blob(&self, reference: &Reference, layer: &OciDescriptor) -> Result<Vec<u8>, RegistryError> {
        if !(0..=MAX_BLOB_BYTES).contains(&layer.size) {
            return Err(RegistryError(format!(
                "`{}` has a layer of {} bytes, over the limit of {MAX_BLOB_BYTES}",
                reference.whole(),
                layer.size
            )));
        }
        let mut bytes = Vec::new();
        self.runtime
            .block_on(self.client.pull_blob(reference, layer, &mut bytes))
            .map_err(|e| self.failed("download a layer from", &e))?;
        let digest = format!("sha256:{}", Sha256Digest::of(&bytes));
        if digest != layer.digest {
            return Err(RegistryError(format!(
                "the registry sent a layer of `{}` whose digest is {digest}, not {}",
                reference.whole(),
                layer.digest
            )));
        }
        Ok(bytes)
    }

    fn signature_reference(&self, component: &Sha256Digest) -> Reference {
        Reference::with_tag(
            self.reference.registry().to_owned(),
            self.reference.repository().to_owned(),
            media::signature_tag(component),
        )
    }

    fn failed(&self, doing: &str, error: &OciDistributionError) -> RegistryError {
        let registry = self.reference.registry();
        if denied(error) {
            return RegistryError(format!(
                "cannot {doing} `{registry}`: the registry refused the credentials, or none were \
                 given; set {USERNAME_VAR} and {PASSWORD_VAR}, or `docker login {registry}`"
            ));
        }
        RegistryError(format!("cannot {doing} `{registry}`: {}", describe(error)))
    }
}

/// A 401 or 403: the credentials are missing or wrong.
fn denied(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::AuthenticationFailure(_) | OciDistributionError::UnauthorizedError { .. } => true,
        OciDistributionError::ServerError { code, .. } => matches!(code, 401 | 403),
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(e.code, oci_client::errors::OciErrorCode::Unauthorized | oci_client::errors::OciErrorCode::Denied)
        }),
        _ => false,
    }
}

fn not_found(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::ServerError { code, .. } => *code == 404,
        OciDistributionError::RegistryError { envelope, .. } => {
            envelope.errors.iter().any(|e| matches!(e.code, oci_client::errors::OciErrorCode::ManifestUnknown))
        }
        _ => false,
    }
}

/// The error with its causes: a connection error's own text is "error sending request".
fn describe(error: &OciDistributionError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `…/manifests/sha256:…` → `sha256:…`.
fn manifest_digest(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_owned()
}

/// Whether `registry` (host and port) is on this machine.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_registries_are_spoken_to_without_tls() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("127.8.0.2"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry.example.org"));
        assert!(!is_loopback("10.0.0.1:5000"));
        assert!(!is_loopback("localhost.example.org:5000"));
    }

    #[test]
    fn a_reference_must_name_its_registry() {
        assert!(Registry::new("127.0.0.1:5000/plugins/hello:1.0.0").is_ok());
        assert!(Registry::new("registry.example.org/plugins/hello:1.0.0").is_ok());
        let bare = Registry::new("hello:1.0.0").err().expect("refused");
        assert!(bare.0.contains("names no registry"), "{bare}");
        let no_host = Registry::new("plugins/hello:1.0.0").err().expect("refused");
        assert!(no_host.0.contains("names no registry"), "{no_host}");
        assert!(Registry::new("Not A Reference").is_err());
    }
}
