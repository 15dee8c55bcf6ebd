//! The render cache on disk: one pack file per stack under
//! `$XDG_CACHE_HOME/stackc/rendered/` holding the render results the stack's last build
//! used, each a sealed entry under its key.
//!
//! What an entry is, and whether one may be used, is the plugin host's business (see
//! `stackc_plugin_host::Reuse`): this is storage. One file per stack, read once and
//! written once, costs two system calls where a file per service would cost thousands. The
//! pack is rewritten after a build that rendered anything, or left entries unused, with
//! exactly the entries that build used, so it never grows beyond one build's worth. It is
//! written to a temporary file and renamed, so a concurrent build never sees half of one.
//!
//! Layout: `MAGIC`, then per entry its key (64 hex digits), its length (u64 little
//! endian) and the sealed entry. Reading stops at the first record that does not parse; the
//! entries after a damaged one are rendered again.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use stackc::CacheStore;
use stackc_model::Sha256Digest;

const MAGIC: &[u8] = b"stackc-render-pack-v1\n";
const KEY_LEN: usize = 64;

pub struct RenderPack {
    path: PathBuf,
    /// The entries of the pack as read and those this build made, each once, with whether
    /// this build used it: [`RenderPack::save`] writes back the used ones.
    entries: Mutex<BTreeMap<String, Entry>>,
    /// Whether this build stored anything new.
    changed: AtomicBool,
}

struct Entry {
    bytes: Vec<u8>,
    used: bool,
}

impl RenderPack {
    /// The pack of the stack at `stack` (any spelling of the path: it is canonicalized), in
    /// the cache directory from the environment; `None` without one.
    pub fn for_stack(stack: &Path) -> Option<RenderPack> {
        let dir = crate::cache::cache_dir()?.join("rendered");
        let canonical = fs::canonicalize(stack).unwrap_or_else(|_| stack.to_path_buf());
        let name = &Sha256Digest::of(canonical.as_os_str().as_encoded_bytes()).to_string()[..32];
        Some(RenderPack::open(dir.join(name)))
    }

    /// The pack at `path`; a missing or unreadable file is an empty pack.
    pub fn open(path: PathBuf) -> RenderPack {
        let entries = fs::read(&path).map(|bytes| parse(&bytes)).unwrap_or_default();
        let entries = entries.into_iter().map(|(key, bytes)| (key, Entry { bytes, used: false })).collect();
        RenderPack { path, entries: Mutex::new(entries), changed: AtomicBool::new(false) }
    }

    /// Writes the pack back if this build changed what it should hold. Failing to is not an
    /// error: the next build renders again.
    pub fn save(&self) {
        let entries = self.entries.lock().expect("lock");
        let changed = self.changed.load(Ordering::Relaxed) || entries.values().any(|e| !e.used);
        if !changed {
            return;
        }
        let (Some(dir), Some(name)) = (self.path.parent(), self.path.file_name()) else { return };
        let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
        // Streamed, not assembled first: the pack is about as large as the bundle.
        let write = || -> std::io::Result<()> {
            fs::create_dir_all(dir)?;
            let mut file = BufWriter::new(fs::File::create(&tmp)?);
            file.write_all(MAGIC)?;
            for (key, entry) in entries.iter().filter(|(_, e)| e.used) {
                file.write_all(key.as_bytes())?;
                file.write_all(&(entry.bytes.len() as u64).to_le_bytes())?;
                file.write_all(&entry.bytes)?;
            }
            // No fsync: a pack cut short by a crash is read up to the damage (see `parse`).
            file.flush()?;
            drop(file);
            fs::rename(&tmp, &self.path)
        };
        if write().is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

impl CacheStore for RenderPack {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut entries = self.entries.lock().expect("lock");
        let entry = entries.get_mut(key)?;
        entry.used = true;
        Some(entry.bytes.clone())
    }

    fn put(&self, key: &str, entry: &[u8]) -> bool {
        self.entries.lock().expect("lock").insert(key.to_owned(), Entry { bytes: entry.to_vec(), used: true });
        self.changed.store(true, Ordering::Relaxed);
        true
    }
}

/// The entries of a pack, up to the first record that does not parse.
fn parse(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut entries = BTreeMap::new();
    let Some(mut rest) = bytes.strip_prefix(MAGIC) else { return entries };
    while rest.len() >= KEY_LEN + 8 {
        let (key, after) = rest.split_at(KEY_LEN);
        let (len, after) = after.split_at(8);
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
        let Ok(len) = usize::try_from(len) else { break };
        let (Ok(key), true) = (std::str::from_utf8(key), after.len() >= len) else { break };
        entries.insert(key.to_owned(), after[..len].to_vec());
        rest = &after[len..];
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> String {
        std::iter::repeat_n(c, KEY_LEN).collect()
    }

    #[test]
    fn a_pack_keeps_what_one_build_used_and_stops_at_damage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pack");
        let pack = RenderPack::open(path.clone());
        assert_eq!(pack.get(&key('a')), None);
        pack.put(&key('a'), b"first");
        pack.put(&key('b'), b"second");
        pack.save();

        let pack = RenderPack::open(path.clone());
        assert_eq!(pack.get(&key('b')).as_deref(), Some(&b"second"[..]));
        pack.save();
        // `a` was not used: the pack now holds `b` only.
        let pack = RenderPack::open(path.clone());
        assert_eq!(pack.get(&key('a')), None);
        assert_eq!(pack.get(&key('b')).as_deref(), Some(&b"second"[..]));
        // Nothing new and nothing unused: the file is not rewritten.
        fs::remove_file(&path).expect("remove");
        pack.save();
        assert!(!path.exists());

        let mut bytes = MAGIC.to_vec();
        for (k, v) in [(key('c'), &b"one"[..]), (key('d'), &b"two"[..])] {
            bytes.extend_from_slice(k.as_bytes());
            bytes.extend_from_slice(&(v.len() as u64).to_le_bytes());
            bytes.extend_from_slice(v);
        }
        let truncated = parse(&bytes[..bytes.len() - 1]);
        assert_eq!(truncated.keys().collect::<Vec<_>>(), [&key('c')]);
        assert_eq!(parse(&bytes).len(), 2);
        assert!(parse(b"not a pack").is_empty());
    }
}
