//! The compile cache on disk: precompiled third-party components under
//! `$XDG_CACHE_HOME/stackc/precompiled/` (or `~/.cache/…`), one file per key. (The render
//! cache, beside it, is `render_cache.rs`.)
//!
//! What goes in and what may come out is decided by the plugin host, which seals entries
//! with a checksum and keys them by component digest and engine; this is only storage.
//! Entries are written to a temporary file and renamed, so concurrent builds never see a
//! half-written one.

use std::fs;
use std::path::PathBuf;

use stackc::CacheStore;

pub struct DiskCache {
    dir: PathBuf,
}

/// stackc's cache directory from the environment, per the XDG base directory spec:
/// `$XDG_CACHE_HOME/stackc` (a relative `XDG_CACHE_HOME` is ignored), else
/// `~/.cache/stackc`; `None` when there is no home either.
#[allow(clippy::disallowed_methods)] // The one place that reads where the cache lives.
pub fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("stackc"))
}

impl DiskCache {
    /// The compile cache in [`cache_dir`].
    pub fn from_env() -> Option<DiskCache> {
        Some(DiskCache { dir: cache_dir()?.join("precompiled") })
    }
}

impl CacheStore for DiskCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.join(key)).ok()
    }

    fn put(&self, key: &str, entry: &[u8]) -> bool {
        let tmp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
        let written = fs::create_dir_all(&self.dir)
            .and_then(|()| fs::write(&tmp, entry))
            .and_then(|()| fs::rename(&tmp, self.dir.join(key)));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written.is_ok()
    }
}
