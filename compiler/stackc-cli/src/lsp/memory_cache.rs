//! Render and expose results kept in memory between two checks of one stack, so that a
//! keystroke re-renders only the services it changed.
//!
//! Entries are sealed and checked by the plugin host like those of the render cache on disk
//! (see `stackc_plugin_host::Reuse`); this is storage. After each check the entries it did not
//! use are dropped ([`MemoryCache::sweep`]), so the cache holds one check's worth.

use std::collections::BTreeMap;
use std::sync::Mutex;

use stackc::CacheStore;

#[derive(Default)]
pub struct MemoryCache {
    /// Each entry with whether the current check used it.
    entries: Mutex<BTreeMap<String, (Vec<u8>, bool)>>,
}

impl MemoryCache {
    /// Drops the entries the check since the last sweep did not use.
    pub fn sweep(&self) {
        let mut entries = self.entries.lock().expect("lock");
        entries.retain(|_, (_, used)| std::mem::take(used));
    }
}

impl CacheStore for MemoryCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut entries = self.entries.lock().expect("lock");
        let (bytes, used) = entries.get_mut(key)?;
        *used = true;
        Some(bytes.clone())
    }

    fn put(&self, key: &str, entry: &[u8]) -> bool {
        self.entries.lock().expect("lock").insert(key.to_owned(), (entry.to_vec(), true));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_last_check_used() {
        let cache = MemoryCache::default();
        cache.put("a", b"1");
        cache.put("b", b"2");
        cache.sweep();
        assert_eq!(cache.get("a").as_deref(), Some(&b"1"[..]));
        cache.sweep();
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.get("a").as_deref(), Some(&b"1"[..]));
    }
}
