//! Reading generated systemd units the way systemd does, as far as the generated units need.

/// The value of `Key=` in a unit.
pub(crate) fn directive<'a>(unit: &'a str, key: &str) -> &'a str {
    unit.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).unwrap_or_else(|| panic!("no {key}= in:\n{unit}"))
}

/// The words of a systemd setting: double-quoted, with `\\`, `\"`, `%%` and `$$` unescaped.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '"' => {
                let mut word = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.push(chars.next().expect("an escaped character")),
                        '%' | '$' if chars.peek() == Some(&c) => {
                            chars.next();
                            word.push(c);
                        }
                        c => word.push(c),
                    }
                }
                out.push(word);
            }
            c => panic!("an unquoted word at `{c}` in `{text}`"),
        }
    }
    out
}
