//! `manifest.toml`: the bundle's table of contents. Its shape is a public format with a
//! version number; readers refuse formats they do not know.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stackc_model::Sha256Digest;

/// The manifest format this version of stackc writes and reads.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub stack: String,
    /// The root digest; see the crate docs for what it covers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub root: String,
    #[serde(default)]
    pub services: BTreeMap<String, ServiceEntry>,
    #[serde(default)]
    pub targets: BTreeMap<String, TargetEntry>,
    #[serde(default)]
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    pub plugin: String,
    pub digest: String,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetEntry {
    pub digest: String,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    /// Octal, e.g. `0644`.
    pub mode: String,
    pub digest: String,
    /// The services that produced the file (several when they produced identical bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// The deploy-target emitter that produced the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// The digest of `bytes` as the manifest writes digests: `sha256:<hex>`.
pub(crate) fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", Sha256Digest::of(bytes))
}

/// A manifest, digest record or lockfile that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl Manifest {
    /// The manifest and its text (what [`Manifest::to_toml`] gives), rendered once.
    pub(crate) fn new(
        stack: &str,
        services: BTreeMap<String, ServiceEntry>,
        targets: BTreeMap<String, TargetEntry>,
        files: Vec<FileEntry>,
    ) -> (Self, String) {
        let mut manifest =
            Manifest { format: FORMAT, stack: stack.to_owned(), root: String::new(), services, targets, files };
        // Rendered while the root is still empty: `compute_root` without copying the manifest.
        let unrooted = manifest.to_toml();
        manifest.root = digest_of(unrooted.as_bytes());
        let text = manifest.with_root(&unrooted).unwrap_or_else(|| manifest.to_toml());
        (manifest, text)
    }

    /// The text with the root, from the text without it: the `root` line is the only
    /// difference, and comes right after the `stack` line. `None` when the stack's name might
    /// not be written on one line; then the manifest is rendered again.
    fn with_root(&self, unrooted: &str) -> Option<String> {
        if self.stack.contains(['\n', '\r']) {
            return None;
        }
        let header = format!("format = {}\nstack = ", self.format);
        let after_stack = unrooted.strip_prefix(&header)?.find('\n')? + header.len() + 1;
        let root_line = format!("root = \"{}\"\n", self.root);
        Some([&unrooted[..after_stack], &root_line, &unrooted[after_stack..]].concat())
    }

    /// sha256 of the manifest rendered without its root.
    pub fn compute_root(&self) -> String {
        let unrooted = Manifest { root: String::new(), ..self.clone() };
        digest_of(unrooted.to_toml().as_bytes())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("the manifest is always representable in TOML")
    }

    /// Reads a manifest, refusing unknown formats and a root that does not match.
    pub fn parse(text: &str) -> Result<Manifest, ParseError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| ParseError(e.message().to_owned()))?;
        if manifest.format != FORMAT {
            return Err(ParseError(format!(
                "manifest format {} is not supported (this stackc reads format {FORMAT})",
                manifest.format
            )));
        }
        if manifest.root != manifest.compute_root() {
            return Err(ParseError("the root digest does not match the manifest's contents".to_owned()));
        }
        Ok(manifest)
    }

    /// The first 12 hex digits of a `sha256:` digest, for humans.
    pub fn short(digest: &str) -> &str {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        &hex[..hex.len().min(12)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_check() {
        let mut services = BTreeMap::new();
        services.insert("a".to_owned(), ServiceEntry { plugin: "p@1".into(), digest: "sha256:00".into(), files: 0 });
        let (manifest, _) = Manifest::new("s", services, BTreeMap::new(), Vec::new());
        let text = manifest.to_toml();
        assert_eq!(Manifest::parse(&text), Ok(manifest));
        let tampered = text.replace("p@1", "p@2");
        assert!(Manifest::parse(&tampered).is_err());
        assert!(Manifest::parse(&text.replace("format = 1", "format = 9")).unwrap_err().0.contains("format 9"));
    }

    #[test]
    fn the_text_rendered_once_is_the_text_rendered_again() {
        let file = FileEntry {
            path: "a/b".to_owned(),
            mode: "0644".to_owned(),
            digest: digest_of(b"x"),
            services: vec!["web".to_owned()],
            target: None,
        };
        let services = BTreeMap::from([(
            "web".to_owned(),
            ServiceEntry { plugin: "nginx@0.1.0".to_owned(), digest: digest_of(b"y"), files: 1 },
        )]);
        for stack in ["s", "with \"quotes\" and \\", "tab\there", "ünïcode", "line\nbreak", "cr\rhere", ""] {
            let (manifest, text) = Manifest::new(stack, services.clone(), BTreeMap::new(), vec![file.clone()]);
            assert_eq!(text, manifest.to_toml(), "stack name {stack:?}");
            // The one-line names take the fast way, not the fallback.
            let unrooted = Manifest { root: String::new(), ..manifest.clone() }.to_toml();
            assert_eq!(manifest.with_root(&unrooted).is_some(), !stack.contains(['\n', '\r']), "{stack:?}");
            assert_eq!(Manifest::parse(&text).as_ref(), Ok(&manifest));
        }
    }
}
