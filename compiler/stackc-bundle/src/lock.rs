//! `stackc.lock`: the plugins the stacks of a directory were built with.
//!
//! The lockfile sits next to the stack files. `stackc build` rewrites it when what a stack
//! uses changes; `stackc build --locked` refuses to build instead, so that in CI any change
//! of a plugin's bytes (a new stackc with another nginx plugin, a rebuilt third-party
//! component) shows up as a reviewed change to this file. One file serves several stacks:
//! each entry lists the stacks that use it, and a build touches only its own stack's share.
//!
//! Pure: parsing, updating and rendering; reading and writing the file is the caller's job.

use serde::{Deserialize, Serialize};
use stackc_model::Sha256Digest;

use crate::ParseError;

/// The file name, next to the stack files.
pub const FILE_NAME: &str = "stackc.lock";

const FORMAT: u32 = 1;

const HEADER: &str = "\
# The plugins the stacks in this directory are built with, by sha256 of their component.
# Written by `stackc build`; `stackc build --locked` fails when it would change. Commit it.
";

/// A plugin one build used, as the lockfile pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub name: String,
    pub version: String,
    /// The WIT package version it was built against.
    pub wit: String,
    /// sha256 of the component bytes.
    pub sha256: Sha256Digest,
    pub source: PluginSource,
    /// The fingerprint (`SHA256:…`) of the trusted key whose signature was verified, for a
    /// plugin the stack requires to be signed.
    pub signer: Option<String>,
}

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginSource {
    Builtin,
    /// A component file declared by the stack, named relative to where stackc runs.
    File(String),
    /// A component published to an OCI registry, by the reference the stack declares.
    Oci(String),
}

/// A parsed lockfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    version: u32,
    #[serde(default, rename = "plugin")]
    plugins: Vec<LockedPlugin>,
}

/// One plugin, as locked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPlugin {
    pub name: String,
    pub version: String,
    pub wit: String,
    #[serde(with = "hex")]
    pub sha256: Sha256Digest,
    /// `builtin`, `file:<path>` relative to the lockfile's directory, or `oci:<reference>`.
    pub source: String,
    /// Who signed it (a key fingerprint, `SHA256:…`), when the stack requires a signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The stacks (by name) that use it, sorted.
    pub stacks: Vec<String>,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, ParseError> {
        let lock: Lock = toml::from_str(text).map_err(|e| ParseError(e.message().to_owned()))?;
        if lock.version != FORMAT {
            return Err(ParseError(format!("lockfile format {} is not supported (expected {FORMAT})", lock.version)));
        }
        Ok(lock)
    }

    /// The lockfile after a build of `stack` that used `used`. `lock_dir` is the lockfile's
    /// directory, named like the component files (relative to where stackc runs).
    pub fn updated<'a>(&self, stack: &str, used: impl IntoIterator<Item = &'a Pin>, lock_dir: &str) -> Lock {
        let mut plugins: Vec<LockedPlugin> = self
            .plugins
            .iter()
            .cloned()
            .filter_map(|mut entry| {
                entry.stacks.retain(|s| s != stack);
                (!entry.stacks.is_empty()).then_some(entry)
            })
            .collect();
        for plugin in used {
            let source = match &plugin.source {
                PluginSource::Builtin => "builtin".to_owned(),
                PluginSource::File(file) => format!("file:{}", relative_to(file, lock_dir)),
                PluginSource::Oci(reference) => format!("oci:{reference}"),
            };
            let fresh = LockedPlugin {
                name: plugin.name.clone(),
                version: plugin.version.clone(),
                wit: plugin.wit.clone(),
                sha256: plugin.sha256,
                source,
                signer: plugin.signer.clone(),
                stacks: vec![stack.to_owned()],
            };
            match plugins.iter_mut().find(|p| p.same_plugin(&fresh)) {
                Some(entry) => {
                    entry.stacks.push(stack.to_owned());
                    entry.stacks.sort();
                }
                None => plugins.push(fresh),
            }
        }
        plugins.sort();
        Lock { version: FORMAT, plugins }
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a lock is always representable in TOML");
        format!("{HEADER}{body}")
    }

    /// What differs for `stack` between this lock and `new`, one line per plugin, for
    /// `--locked` failures. Empty when nothing does.
    pub fn changes(&self, new: &Lock, stack: &str) -> Vec<String> {
        let of = |lock: &Lock| -> Vec<LockedPlugin> {
            lock.plugins.iter().filter(|p| p.stacks.iter().any(|s| s == stack)).cloned().collect()
        };
        let (old, new) = (of(self), of(new));
        let mut lines = Vec::new();
        for before in &old {
            if new.iter().any(|p| p.same_plugin(before)) {
                continue;
            }
            match new.iter().find(|p| p.name == before.name) {
                Some(after) => lines.push(format!("changed  {}", describe_change(before, after))),
                None => lines.push(format!("removed  {} {} ({})", before.name, before.version, before.source)),
            }
        }
        for after in &new {
            if !old.iter().any(|p| p.name == after.name) {
                lines.push(format!(
                    "added    {} {} ({}, sha256 {})",
                    after.name, after.version, after.source, after.sha256
                ));
            }
        }
        lines
    }
}

impl LockedPlugin {
    /// Same plugin bytes from the same place; `stacks` aside.
    fn same_plugin(&self, other: &LockedPlugin) -> bool {
        (&self.name, &self.version, &self.wit, &self.sha256, &self.source, &self.signer)
            == (&other.name, &other.version, &other.wit, &other.sha256, &other.source, &other.signer)
    }
}

fn describe_change(before: &LockedPlugin, after: &LockedPlugin) -> String {
    let mut parts = Vec::new();
    if before.version != after.version {
        parts.push(format!("version {} → {}", before.version, after.version));
    }
    if before.wit != after.wit {
        parts.push(format!("WIT {} → {}", before.wit, after.wit));
    }
    if before.source != after.source {
        parts.push(format!("source {} → {}", before.source, after.source));
    }
    if before.sha256 != after.sha256 {
        parts.push(format!("sha256 {} → {}", before.sha256, after.sha256));
    }
    if before.signer != after.signer {
        let signer = |s: &Option<String>| s.clone().unwrap_or_else(|| "unsigned".to_owned());
        parts.push(format!("signer {} → {}", signer(&before.signer), signer(&after.signer)));
    }
    format!("{}: {}", before.name, parts.join(", "))
}

/// A digest in the lockfile: its hex string, as stacks pin it.
mod hex {
    use serde::{Deserialize, Deserializer, Serializer};
    use stackc_model::Sha256Digest;

    pub(super) fn serialize<S: Serializer>(digest: &Sha256Digest, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(digest)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Sha256Digest, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// `file` relative to `dir`, both relative to the same working directory and normalized
/// (as the loader names files); lexical, never touching the filesystem.
fn relative_to(file: &str, dir: &str) -> String {
    let split =
        |p: &str| -> Vec<String> { p.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_owned).collect() };
    let (file_parts, dir_parts) = (split(file), split(dir));
    let common = file_parts.iter().zip(&dir_parts).take_while(|(a, b)| a == b).count();
    if dir_parts[common..].iter().any(|c| c == "..") || file.starts_with('/') != dir.starts_with('/') {
        return file.to_owned();
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); dir_parts.len() - common];
    parts.extend(file_parts[common..].iter().cloned());
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(name: &str, sha: &str, source: PluginSource) -> Pin {
        Pin {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            wit: "0.1.0".to_owned(),
            sha256: sha.repeat(64 / sha.len()).parse().expect("hex digits"),
            source,
            signer: None,
        }
    }

    #[test]
    fn stacks_share_entries_and_a_build_changes_only_its_own() {
        let nginx = used("nginx", "a", PluginSource::Builtin);
        let hello = used("hello", "b", PluginSource::File("plugins/hello/target/stackc/hello.wasm".to_owned()));
        let lock = Lock::default().updated("web", &[nginx.clone(), hello.clone()], "stacks");
        let lock = lock.updated("lab", std::slice::from_ref(&nginx), "stacks");
        insta::assert_snapshot!(lock.to_toml());
        assert_eq!(Lock::parse(&lock.to_toml()), Ok(lock.clone()), "round trip");

        // Rebuilding `lab` the same way changes nothing, for anyone.
        assert_eq!(lock.updated("lab", std::slice::from_ref(&nginx), "stacks"), lock);
        assert!(lock.changes(&lock, "web").is_empty());

        // `web` gets a rebuilt hello and drops nginx: `lab` keeps its nginx entry.
        let rebuilt = used("hello", "c", hello.source.clone());
        let after = lock.updated("web", &[rebuilt], "stacks");
        assert_eq!(
            lock.changes(&after, "web"),
            [
                format!("changed  hello: sha256 {} → {}", "b".repeat(64), "c".repeat(64)),
                "removed  nginx 0.1.0 (builtin)".to_owned(),
            ]
        );
        assert!(lock.changes(&after, "lab").is_empty());
    }

    #[test]
    fn a_published_plugin_records_its_reference_and_signer() {
        let reference = "registry.example.org/plugins/greeter:1.0.0";
        let mut greeter = used("greeter", "d", PluginSource::Oci(reference.to_owned()));
        greeter.signer = Some("SHA256:AAAA".to_owned());
        let lock = Lock::default().updated("web", std::slice::from_ref(&greeter), "stacks");
        let text = lock.to_toml();
        assert!(text.contains(&format!("source = \"oci:{reference}\"")), "{text}");
        assert!(text.contains("signer = \"SHA256:AAAA\""), "{text}");
        assert_eq!(Lock::parse(&text), Ok(lock.clone()), "round trip");

        let mut resigned = greeter.clone();
        resigned.signer = Some("SHA256:BBBB".to_owned());
        let after = lock.updated("web", &[resigned], "stacks");
        assert_eq!(lock.changes(&after, "web"), ["changed  greeter: signer SHA256:AAAA → SHA256:BBBB"]);
    }

    #[test]
    fn paths_are_relative_to_the_lockfile() {
        assert_eq!(relative_to("stacks/plugins/a.wasm", "stacks"), "plugins/a.wasm");
        assert_eq!(relative_to("examples/plugins/a.wasm", "examples/stacks/03"), "../../plugins/a.wasm");
        assert_eq!(relative_to("a.wasm", ""), "a.wasm");
        assert_eq!(relative_to("../x/a.wasm", "y"), "../../x/a.wasm");
        assert_eq!(relative_to("a.wasm", ".."), "a.wasm", "cannot go below an unknown parent");
    }

    #[test]
    fn unknown_formats_are_refused() {
        assert!(Lock::parse("version = 2\n").is_err());
        assert!(Lock::parse("version = 1\nextra = 1\n").is_err());
        let short_digest = "version = 1\n[[plugin]]\nname = \"a\"\nversion = \"1\"\nwit = \"0.1.0\"\n\
                            sha256 = \"abc\"\nsource = \"builtin\"\nstacks = [\"s\"]\n";
        assert!(Lock::parse(short_digest).unwrap_err().0.contains("64 lower-case hex digits"));
        assert_eq!(Lock::parse("version = 1\n").map(|l| l.plugins.len()), Ok(0));
    }
}
