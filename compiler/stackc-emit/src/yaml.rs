//! Just enough YAML writing for playbooks: every scalar is a double-quoted string.
//!
//! JSON string syntax is valid YAML double-quoted syntax, so `serde_json` does the escaping.

/// `"text"`, escaped.
pub(crate) fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialize")
}

/// Ansible group names must be identifiers.
pub(crate) fn group_name(prefix: &str, name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}{clean}")
}
