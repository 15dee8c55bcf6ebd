//! Reusing call results: a plugin is a pure function of its bytes and its input, so a call
//! whose plugin digest and input are those of an earlier call returns what that call
//! returned, without running the plugin. Both calls a build makes per service are reused:
//! `render` and `expose`.
//!
//! An entry holds the plugin's own output (the WIT artifacts or exports, postcard-encoded),
//! sealed with a checksum like a compile cache entry. It is reused only when
//! - its key matches: sha256 over the kind of call, the plugin's digest and every field of
//!   the call's input;
//! - it unseals (intact checksum) and decodes;
//!
//! and what it holds goes through the same checks as fresh output. Anything else is called
//! again and the entry rewritten. Only successful calls are stored: a config error is cheap
//! to find again and must be reported anyway.
//!
//! The stored types are the generated WIT records of the host's WIT version, encoded by their
//! serde derive. That version is part of every key: a record the next version changes would
//! decode wrongly, not fail, and a plugin whose bytes did not change has the same digest.

use sha2::{Digest, Sha256};
use stackc_model::Sha256Digest;

use crate::bindings::stackc::plugin::types as wit;
use crate::cache::{self, CacheStore};
use crate::plugin::RenderInput;

/// Magic of a render entry. Bump the version when the encoding of WIT values changes.
const RENDERED: &[u8] = b"stackc-rendered-v1\n";
/// Magic of an expose entry; the same rule.
const EXPOSED: &[u8] = b"stackc-exposed-v1\n";

/// How a render call was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reuse {
    /// Rendered by the plugin; `stored` says whether the cache took the result.
    Rendered { stored: bool },
    /// Taken from the cache: the plugin did not run.
    Reused,
    /// The entry was unusable (`why`); rendered by the plugin and the entry rewritten.
    Rerendered { why: &'static str },
}

/// The key of a render call: the plugin's digest and every input field.
pub(crate) fn key(plugin_digest: Sha256Digest, input: &RenderInput<'_>) -> String {
    let mut key = Key::new(RENDERED, plugin_digest);
    key.field(input.stack.as_bytes());
    key.field(input.service.as_bytes());
    key.field(input.config.as_bytes());
    key.field(&(input.hosts.len() as u64).to_le_bytes());
    for (name, address, groups) in &input.hosts {
        key.field(name.as_bytes());
        key.field(address.as_bytes());
        key.field(&(groups.len() as u64).to_le_bytes());
        for group in groups {
            key.field(group.as_bytes());
        }
    }
    key.field(input.stack_endpoints.as_bytes());
    // `None` and `Some("")` must differ: a present project is prefixed by a marker field.
    match input.compose_project {
        None => key.field(b"hosts or cluster"),
        Some(project) => {
            key.field(b"compose project");
            key.field(project.as_bytes());
        }
    }
    key.finish()
}

/// The key of an expose call: the plugin's digest, the service and its config.
pub(crate) fn expose_key(plugin_digest: Sha256Digest, service: &str, config: &str) -> String {
    let mut key = Key::new(EXPOSED, plugin_digest);
    key.field(service.as_bytes());
    key.field(config.as_bytes());
    key.finish()
}

/// sha256 over the kind of call, the plugin and the input's fields, each length-prefixed so
/// that no two inputs hash alike.
struct Key(Sha256);

impl Key {
    fn new(magic: &[u8], plugin_digest: Sha256Digest) -> Self {
        let mut key = Key(Sha256::new());
        key.field(magic);
        key.field(crate::WIT_VERSION.as_bytes());
        key.field(plugin_digest.to_string().as_bytes());
        key
    }

    fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    fn finish(self) -> String {
        Sha256Digest::from_bytes(self.0.finalize().into()).to_string()
    }
}

/// The stored render output under `key`, or why there is none to use (`None`: no entry).
pub(crate) fn lookup(store: &dyn CacheStore, key: &str) -> Result<Option<Vec<wit::Artifact>>, &'static str> {
    lookup_as(RENDERED, store, key)
}

/// The sealed entry for a plugin's render output.
pub(crate) fn entry(artifacts: &[wit::Artifact]) -> Option<Vec<u8>> {
    entry_of(RENDERED, &artifacts)
}

/// The stored exports under `key`, or why there are none to use (`None`: no entry).
pub(crate) fn lookup_exports(store: &dyn CacheStore, key: &str) -> Result<Option<wit::Exports>, &'static str> {
    lookup_as(EXPOSED, store, key)
}

/// The sealed entry for a plugin's exports.
pub(crate) fn exports_entry(exports: &wit::Exports) -> Option<Vec<u8>> {
    entry_of(EXPOSED, exports)
}

fn lookup_as<T: serde::de::DeserializeOwned>(
    magic: &[u8],
    store: &dyn CacheStore,
    key: &str,
) -> Result<Option<T>, &'static str> {
    let Some(entry) = store.get(key) else { return Ok(None) };
    let payload = cache::unseal(magic, &entry)?;
    postcard::from_bytes(payload).map(Some).map_err(|_| "undecodable")
}

fn entry_of<T: serde::Serialize + ?Sized>(magic: &[u8], value: &T) -> Option<Vec<u8>> {
    postcard::to_allocvec(value).ok().map(|payload| cache::seal(magic, &payload))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Memory(Mutex<BTreeMap<String, Vec<u8>>>);

    impl CacheStore for Memory {
        fn get(&self, key: &str) -> Option<Vec<u8>> {
            self.0.lock().expect("lock").get(key).cloned()
        }

        fn put(&self, key: &str, entry: &[u8]) -> bool {
            self.0.lock().expect("lock").insert(key.to_owned(), entry.to_vec());
            true
        }
    }

    fn input<'a>(config: &'a str, hosts: Vec<(String, String, Vec<String>)>) -> RenderInput<'a> {
        RenderInput { stack: "s", service: "web", config, hosts, stack_endpoints: "[]", compose_project: None }
    }

    #[test]
    fn every_input_field_and_the_plugin_are_in_the_key() {
        let host =
            |n: &str, g: &[&str]| (n.to_owned(), "10.0.0.1".to_owned(), g.iter().map(|s| (*s).to_owned()).collect());
        let (aa, ab) = (Sha256Digest::of(b"aa"), Sha256Digest::of(b"ab"));
        let base = key(aa, &input("{}", vec![host("h1", &["web"])]));
        assert_eq!(base, key(aa, &input("{}", vec![host("h1", &["web"])])));
        assert_eq!(base.len(), 64);
        let others = [
            key(ab, &input("{}", vec![host("h1", &["web"])])),
            key(aa, &input("{ }", vec![host("h1", &["web"])])),
            key(aa, &input("{}", vec![host("h2", &["web"])])),
            key(aa, &input("{}", vec![host("h1", &["we", "b"])])),
            key(aa, &input("{}", vec![host("h1", &["web"]), host("h1", &[])])),
            key(aa, &RenderInput { service: "web2", ..input("{}", vec![host("h1", &["web"])]) }),
            key(aa, &RenderInput { stack_endpoints: "[ ]", ..input("{}", vec![host("h1", &["web"])]) }),
            key(aa, &RenderInput { compose_project: Some(""), ..input("{}", vec![host("h1", &["web"])]) }),
            key(aa, &RenderInput { compose_project: Some("shop"), ..input("{}", vec![host("h1", &["web"])]) }),
        ];
        for other in others {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn expose_keys_cover_plugin_service_and_config_and_differ_from_render_keys() {
        let (aa, ab) = (Sha256Digest::of(b"aa"), Sha256Digest::of(b"ab"));
        let base = expose_key(aa, "web", "{}");
        assert_eq!(base, expose_key(aa, "web", "{}"));
        for other in [expose_key(ab, "web", "{}"), expose_key(aa, "web2", "{}"), expose_key(aa, "web", "{ }")] {
            assert_ne!(base, other);
        }
        assert_ne!(base, key(aa, &RenderInput { hosts: Vec::new(), ..input("{}", Vec::new()) }));
    }

    #[test]
    fn stored_exports_come_back_and_render_entries_are_not_exports() {
        let store = Memory::default();
        let exports = wit::Exports {
            endpoints: Vec::new(),
            facts: vec![wit::Fact { name: "a".to_owned(), value: "1".to_owned() }],
        };
        assert!(matches!(lookup_exports(&store, "k"), Ok(None)));
        store.put("k", &exports_entry(&exports).expect("encodes"));
        let back = lookup_exports(&store, "k").expect("intact").expect("an entry");
        assert_eq!(format!("{back:?}"), format!("{exports:?}"));
        store.put("k", &entry(&[]).expect("encodes"));
        assert_eq!(lookup_exports(&store, "k").err(), Some("unrecognized (not a stackc cache entry)"));
    }

    #[test]
    fn stored_output_comes_back_and_damaged_entries_do_not() {
        let store = Memory::default();
        let artifacts = vec![
            wit::Artifact::Package("nginx".to_owned()),
            wit::Artifact::BundleFile(wit::BundleFile {
                path: "a/b".to_owned(),
                contents: vec![0, 1, 255],
                mode: 0o644,
            }),
        ];
        assert!(matches!(lookup(&store, "k"), Ok(None)));
        store.put("k", &entry(&artifacts).expect("encodes"));
        let back = lookup(&store, "k").expect("intact").expect("an entry");
        assert_eq!(format!("{back:?}"), format!("{artifacts:?}"));

        let entry = store.get("k").expect("stored");
        let mut flipped = entry.clone();
        *flipped.last_mut().expect("byte") ^= 1;
        store.put("k", &flipped);
        assert_eq!(lookup(&store, "k").err(), Some("corrupt (checksum mismatch)"));
        store.put("k", &entry[..entry.len() - 3]);
        assert_eq!(lookup(&store, "k").err(), Some("corrupt (checksum mismatch)"));
        store.put("k", &entry[..10]);
        assert_eq!(lookup(&store, "k").err(), Some("unrecognized (not a stackc cache entry)"));
        // Intact but not artifacts: sealed garbage is refused by the decoder.
        store.put("k", &cache::seal(RENDERED, &[0xff; 7]));
        assert_eq!(lookup(&store, "k").err(), Some("undecodable"));
    }
}
