//! What HCL needs of the values the templates write: quoted strings, block labels that are
//! identifiers, and the alignment `terraform fmt` gives a run of attributes.

use serde::Serialize;

/// `text` as a quoted HCL string that means exactly `text`: no escape or template sequence
/// (`${…}`, `%{…}`) of its own survives.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform name for a stack name: letters, digits, `_` and `-`, not starting with a digit
/// or `-` (stack names may contain `.` and start with a digit).
pub fn identifier(name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if clean.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') { clean } else { format!("_{clean}") }
}

/// One `key = value` line of a run of attributes, its key padded as `terraform fmt` pads it:
/// every `=` of the run in one column.
#[derive(Serialize)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

pub fn aligned(pairs: Vec<(String, String)>) -> Vec<Attribute> {
    let width = pairs.iter().map(|(key, _)| key.chars().count()).max().unwrap_or(0);
    pairs.into_iter().map(|(key, value)| Attribute { key: format!("{key:width$}"), value }).collect()
}

#[cfg(test)]
mod tests {
    use super::{aligned, identifier, string};

    #[test]
    fn strings_keep_their_meaning() {
        assert_eq!(string("plain"), r#""plain""#);
        assert_eq!(string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(string("${var.x} %{if} $NAME 100%"), r#""$${var.x} %%{if} $NAME 100%""#);
        assert_eq!(string("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn identifiers_from_stack_names() {
        assert_eq!(identifier("cp-1"), "cp-1");
        assert_eq!(identifier("node.a"), "node_a");
        assert_eq!(identifier("1node"), "_1node");
    }

    #[test]
    fn keys_are_padded_to_the_longest() {
        let lines = aligned(vec![("ip".into(), "1".into()), ("network_id".into(), "2".into())]);
        assert_eq!(lines[0].key, "ip        ");
        assert_eq!(lines[1].key, "network_id");
    }
}
