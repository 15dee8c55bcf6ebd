//! The plugin crate `stackc plugin new` writes: the files under `scaffold/`, with
//! `@NAME@` (plugin name), `@TYPE@` (its Rust type), `@SDK@` (path to the SDK) and
//! `@TOOLCHAIN@` (the Rust toolchain stackc itself is built with) filled in.

use std::path::Path;

/// `(path in the new crate, template)`, in the order they are written.
const FILES: [(&str, &str); 7] = [
    ("Cargo.toml", include_str!("../scaffold/Cargo.toml")),
    ("rust-toolchain.toml", include_str!("../scaffold/rust-toolchain.toml")),
    ("rustfmt.toml", include_str!("../scaffold/rustfmt.toml")),
    (".gitignore", include_str!("../scaffold/gitignore")),
    ("README.md", include_str!("../scaffold/README.md")),
    ("src/lib.rs", include_str!("../scaffold/src/lib.rs")),
    ("templates/greeting.txt.hbs", include_str!("../scaffold/templates/greeting.txt.hbs")),
];

/// stackc's own `rust-toolchain.toml`: plugins are pinned to the same compiler.
const TOOLCHAIN_FILE: &str = include_str!("../../../rust-toolchain.toml");

/// The files of a new plugin crate, with their contents.
pub fn files(name: &str, sdk: &Path) -> Vec<(&'static str, String)> {
    let sdk = sdk.to_string_lossy();
    FILES
        .iter()
        .map(|(path, template)| {
            let text = template
                .replace("@NAME@", name)
                .replace("@TYPE@", &type_name(name))
                .replace("@SDK@", &sdk)
                .replace("@TOOLCHAIN@", toolchain());
            (*path, text)
        })
        .collect()
}

/// Why `name` cannot name a plugin, if it cannot: it becomes a crate name, a directory, a
/// Rust type and the `plugin=` of services.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name.len() <= 40;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a plugin name: use lower-case letters, digits and single `-`, starting with a letter, at most 40 long"
        ))
    }
}

/// `redis-probe` → `RedisProbe`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn toolchain() -> &'static str {
    TOOLCHAIN_FILE
        .lines()
        .find_map(|line| {
            line.trim().strip_prefix("channel").map(|v| v.trim_start_matches([' ', '=']).trim_matches([' ', '"']))
        })
        .expect("rust-toolchain.toml names a channel")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("hello").is_ok());
        assert!(check_name("redis-probe2").is_ok());
        for bad in ["", "Hello", "2fa", "a_b", "a-", "a--b", "a.b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(type_name("redis-probe2"), "RedisProbe2");
    }

    #[test]
    fn every_placeholder_is_filled() {
        for (path, text) in files("hello-world", Path::new("../sdk")) {
            assert!(!text.contains('@'), "{path} keeps a placeholder:\n{text}");
        }
        let version: Vec<&str> = toolchain().split('.').collect();
        assert!(version.len() == 3 && version.iter().all(|p| p.parse::<u32>().is_ok()), "{version:?}");
    }
}
