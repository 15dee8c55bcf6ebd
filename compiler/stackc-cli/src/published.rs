//! Components pulled from registries, kept by the sha256 of their bytes under
//! `$XDG_CACHE_HOME/stackc/plugins/` (`<digest>.wasm`, and `<digest>.sig` when the registry
//! held a signature when it was pulled). A stack pins a component by that digest, so an entry
//! never goes stale: a build finds its component here and asks no registry, and `--locked`
//! builds from here alone. What comes out is checked against its name before it is used.

use std::fs;
use std::path::PathBuf;

use stackc::{Published, SourceError};
use stackc_model::Sha256Digest;

use crate::registry::Registry;

/// Whether a command may reach a registry for what the cache lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Allowed,
    /// `--locked`: the cache alone.
    Forbidden,
}

pub struct PublishedStore {
    dir: PathBuf,
}

impl PublishedStore {
    pub fn from_env() -> Option<PublishedStore> {
        Some(PublishedStore { dir: crate::cache::cache_dir()?.join("plugins") })
    }

    /// The component with `digest` and its signature, if the cache holds them intact.
    pub fn get(&self, digest: &Sha256Digest) -> Option<Published> {
        let bytes = fs::read(self.dir.join(format!("{digest}.wasm"))).ok()?;
        if Sha256Digest::of(&bytes) != *digest {
            return None;
        }
        let signature = fs::read(self.dir.join(format!("{digest}.sig"))).ok();
        Some(Published { bytes, signature })
    }

    /// Keeps a component and its signature (removing a signature an earlier pull kept when
    /// the registry holds none now); returns its digest.
    pub fn put(&self, component: &[u8], signature: Option<&[u8]>) -> std::io::Result<Sha256Digest> {
        let digest = Sha256Digest::of(component);
        fs::create_dir_all(&self.dir)?;
        let signature_file = self.dir.join(format!("{digest}.sig"));
        match signature {
            Some(signature) => self.write(&signature_file, signature)?,
            None => match fs::remove_file(&signature_file) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
                _ => {}
            },
        }
        self.write(&self.dir.join(format!("{digest}.wasm")), component)?;
        Ok(digest)
    }

    /// Written to a temporary file and renamed, so a concurrent build never reads half of it.
    fn write(&self, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }
}

/// The component a stack declares as `oci=reference sha256=digest`: from the cache, else (when
/// the network is allowed) from the registry, kept in the cache if it has the pinned digest.
/// Bytes with another digest are returned uncached, for the caller to refuse.
pub fn fetch(reference: &str, digest: &Sha256Digest, network: Network) -> Result<Published, SourceError> {
    let store = PublishedStore::from_env();
    if let Some(cached) = store.as_ref().and_then(|store| store.get(digest)) {
        return Ok(cached);
    }
    if network == Network::Forbidden {
        return Err(SourceError(
            "not in stackc's cache, and `--locked` builds (like editors) reach no registry".to_owned(),
        ));
    }
    let pulled = Registry::new(reference).and_then(|registry| registry.pull()).map_err(|e| SourceError(e.0))?;
    if Sha256Digest::of(&pulled.component) == *digest
        && let Some(store) = &store
    {
        // A cache that cannot be written costs the next build a download, nothing else.
        let _ = store.put(&pulled.component, pulled.signature.as_deref());
    }
    Ok(Published { bytes: pulled.component, signature: pulled.signature })
}
