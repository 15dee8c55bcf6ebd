//! Precompiled third-party components, kept between runs.
//!
//! Compiling a component with Cranelift costs 40–600 ms; loading precompiled code costs
//! about a millisecond. The host decides what an entry is and checks it on the way back in;
//! where entries live (the CLI: a directory under `XDG_CACHE_HOME`) is the caller's business.
//!
//! An entry is only ever used when
//! - its key matches: the sha256 of the component bytes at hand and the engine's
//!   compatibility hash (wasmtime version, compiler settings, CPU features), and
//! - its checksum matches: a truncated or bit-flipped entry is never handed to wasmtime,
//!   whose loader trusts the code it maps.
//!
//! Anything else is compiled again and the entry rewritten.

use std::hash::{Hash, Hasher};

use sha2::{Digest, Sha256};
use stackc_model::Sha256Digest;

/// Storage for cache entries (precompiled components, render results): a map from key to
/// bytes. Implementations may fail silently: a cache that cannot be read or written only
/// costs time. The host seals what it stores and checks it on the way back in.
pub trait CacheStore: Send + Sync {
    /// The entry stored under `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores `entry` under `key`; returns whether it was stored.
    fn put(&self, key: &str, entry: &[u8]) -> bool;
}

/// No cache: every load compiles.
pub struct NoCache;

impl CacheStore for NoCache {
    fn get(&self, _: &str) -> Option<Vec<u8>> {
        None
    }

    fn put(&self, _: &str, _: &[u8]) -> bool {
        false
    }
}

/// How a component came to be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiled {
    /// Precompiled bytes embedded in stackc (built-in plugins).
    Embedded,
    /// Loaded from the cache; nothing compiled.
    CacheHit,
    /// Compiled now; `stored` says whether the cache took the result.
    CacheMiss { stored: bool },
    /// The entry was unusable (`why`); the component was compiled again and the entry
    /// rewritten if the cache took it.
    Rebuilt { why: String },
}

/// Magic of a compile cache entry, whose payload is wasmtime's serialized component.
pub(crate) const PRECOMPILED: &[u8] = b"stackc-precompiled-v1\n";

/// Entry layout: `magic` (what the payload is), sha256 of the payload, payload.
pub(crate) fn seal(magic: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut entry = Vec::with_capacity(magic.len() + 32 + payload.len());
    entry.extend_from_slice(magic);
    entry.extend_from_slice(Sha256Digest::of(payload).as_bytes());
    entry.extend_from_slice(payload);
    entry
}

/// The payload of an intact entry, or why it is not intact.
pub(crate) fn unseal<'a>(magic: &[u8], entry: &'a [u8]) -> Result<&'a [u8], &'static str> {
    let rest = entry.strip_prefix(magic).ok_or("unrecognized (not a stackc cache entry)")?;
    if rest.len() < 32 {
        return Err("truncated");
    }
    let (checksum, payload) = rest.split_at(32);
    if Sha256Digest::of(payload).as_bytes() != checksum {
        return Err("corrupt (checksum mismatch)");
    }
    Ok(payload)
}

/// The cache key of a component for an engine.
pub(crate) fn key(component_digest: Sha256Digest, engine: &wasmtime::Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let compatibility = Sha256Digest::from_bytes(hasher.0.finalize().into()).to_string();
    format!("{component_digest}-{}", &compatibility[..16])
}

/// A `Hasher` over sha256, so that the key does not depend on std's hasher across
/// Rust versions.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_entries_unseal_and_damaged_ones_do_not() {
        let entry = seal(PRECOMPILED, b"payload");
        assert_eq!(unseal(PRECOMPILED, &entry), Ok(&b"payload"[..]));
        let mut flipped = entry.clone();
        *flipped.last_mut().expect("byte") ^= 1;
        assert_eq!(unseal(PRECOMPILED, &flipped), Err("corrupt (checksum mismatch)"));
        assert_eq!(unseal(PRECOMPILED, &entry[..PRECOMPILED.len() + 5]), Err("truncated"));
        assert_eq!(unseal(PRECOMPILED, b"\x7fELF"), Err("unrecognized (not a stackc cache entry)"));
        assert_eq!(unseal(b"other-v1\n", &entry), Err("unrecognized (not a stackc cache entry)"));
    }

    #[test]
    fn the_key_names_the_component_and_the_engine() {
        let engine = wasmtime::Engine::new(&crate::engine_config()).expect("engine");
        let component = Sha256Digest::of(b"component");
        let k = key(component, &engine);
        assert_eq!(k, key(component, &engine), "stable within a build");
        assert!(k.starts_with(&format!("{component}-")) && k.len() == 64 + 1 + 16, "{k}");
    }
}
