//! YAML scalars for the values the templates write: a name or value from the stack is plain
//! when YAML reads it back as that same string, and double-quoted (as JSON, which YAML reads
//! the same) otherwise.

use stackc_plugin_sdk::serde_json;

/// Words YAML 1.1 (which Ansible's parser speaks) reads as booleans or null.
const SPECIAL: [&str; 16] =
    ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "Y", "N", "YES", "NO", "TRUE", "FALSE"];

pub fn scalar(text: &str) -> String {
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && !SPECIAL.iter().any(|s| s.eq_ignore_ascii_case(text));
    if plain { text.to_owned() } else { serde_json::to_string(text).expect("a string serializes") }
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn plain_only_when_it_reads_back_as_a_string() {
        assert_eq!(scalar("cp-1"), "cp-1");
        assert_eq!(scalar("cluster.local"), "cluster.local");
        assert_eq!(scalar("10.40.0.11"), "\"10.40.0.11\"");
        assert_eq!(scalar("1.34.3"), "\"1.34.3\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("Off"), "\"Off\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
    }
}
