//! Media types and the config blob of a published component.

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use stackc_model::Sha256Digest;

/// The manifest of every artifact stackc pushes.
pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The config of a Wasm artifact, as `wkg` and `oci-wasm` write it.
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
/// The component itself.
pub const WASM_LAYER: &str = "application/wasm";
/// A signature artifact's type and its one layer: an armored SSH signature (`SSHSIG`).
pub const SIGNATURE: &str = "application/vnd.stackc.plugin.signature.v1+sshsig";
/// The OCI "empty" config, for artifacts whose config says nothing.
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

/// What a component says of itself, for the manifest's annotations.
pub struct Described<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub summary: &'a str,
    pub imports: &'a [String],
    pub exports: &'a [String],
}

/// The manifest, config and layer of a component. Nothing in them depends on when or where it
/// is published (`created` is the Unix epoch, as reproducible image builds set it), so
/// publishing the same component twice pushes the same manifest.
pub fn component_artifact(component: &[u8], described: &Described<'_>) -> (OciImageManifest, Config, ImageLayer) {
    let layer = ImageLayer::new(component.to_vec(), WASM_LAYER.to_owned(), None);
    let config = serde_json::json!({
        "created": "1970-01-01T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [format!("sha256:{}", Sha256Digest::of(component))],
        "component": {
            "exports": described.exports,
            "imports": described.imports,
            "target": serde_json::Value::Null,
        },
    });
    let config = Config::new(serde_json::to_vec(&config).expect("JSON serializes"), WASM_CONFIG.to_owned(), None);
    let annotations = [
        ("org.opencontainers.image.title", described.name),
        ("org.opencontainers.image.version", described.version),
        ("org.opencontainers.image.description", described.summary),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, Some(annotations));
    manifest.media_type = Some(MANIFEST.to_owned());
    (manifest, config, layer)
}

/// The manifest, config and layer of a signature.
pub fn signature_artifact(signature: &[u8]) -> (OciImageManifest, Config, ImageLayer) {
    let layer = ImageLayer::new(signature.to_vec(), SIGNATURE.to_owned(), None);
    let config = Config::new(b"{}".to_vec(), EMPTY_CONFIG.to_owned(), None);
    let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
    manifest.media_type = Some(MANIFEST.to_owned());
    manifest.artifact_type = Some(SIGNATURE.to_owned());
    (manifest, config, layer)
}

/// The tag a component's signature is pushed under.
pub fn signature_tag(component: &Sha256Digest) -> String {
    format!("sha256-{component}.sig")
}
