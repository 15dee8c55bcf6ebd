//! The one YAML writer of the emitters: a typed value in, block-style text out.
//!
//! Emitters build [`Yaml`] values (ordered maps, sequences, scalars in the style the output
//! uses) and [`write`] lays them out, so indentation, quoting and escaping live here only.
//! Tests parse the text back with a YAML parser and compare it with the value.
//!
//! The layout: block style, two spaces per level, a sequence indented under its key, the
//! first entry of a map in a sequence on the dash's line. A *spaced* sequence (plays, tasks)
//! has a blank line between its items, and after its last item when its map goes on.

use std::borrow::Cow;

/// Text of a scalar. Map keys are fixed strings, borrowed rather than allocated (a large
/// stack's playbook has hundreds of thousands of them); other text is owned.
pub(crate) type Text = Cow<'static, str>;

/// A scalar in the style it is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Written bare when it reads back as the same string in YAML 1.1 (Ansible's PyYAML) and
    /// 1.2, double-quoted otherwise.
    Plain(Text),
    /// Always double-quoted.
    Quoted(Text),
    Bool(bool),
    Int(i64),
}

impl Scalar {
    pub(crate) fn plain(text: impl IntoText) -> Self {
        Scalar::Plain(text.into_text())
    }

    pub(crate) fn quoted(text: impl IntoText) -> Self {
        Scalar::Quoted(text.into_text())
    }
}

/// What scalars are made of.
pub(crate) trait IntoText {
    fn into_text(self) -> Text;
}

impl IntoText for &str {
    fn into_text(self) -> Text {
        Cow::Owned(self.to_owned())
    }
}

impl IntoText for String {
    fn into_text(self) -> Text {
        Cow::Owned(self)
    }
}

impl IntoText for &String {
    fn into_text(self) -> Text {
        Cow::Owned(self.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Yaml {
    Scalar(Scalar),
    Seq(Seq),
    Map(Map),
}

impl Yaml {
    pub(crate) fn plain(text: impl IntoText) -> Self {
        Yaml::Scalar(Scalar::plain(text))
    }

    pub(crate) fn quoted(text: impl IntoText) -> Self {
        Yaml::Scalar(Scalar::quoted(text))
    }

    /// A sequence of double-quoted strings.
    pub(crate) fn quoted_list<S: IntoText>(items: impl IntoIterator<Item = S>) -> Self {
        Yaml::Seq(Seq::new(items.into_iter().map(Yaml::quoted).collect()))
    }
}

impl From<Scalar> for Yaml {
    fn from(scalar: Scalar) -> Self {
        Yaml::Scalar(scalar)
    }
}

impl From<bool> for Yaml {
    fn from(value: bool) -> Self {
        Yaml::Scalar(Scalar::Bool(value))
    }
}

impl From<i64> for Yaml {
    fn from(value: i64) -> Self {
        Yaml::Scalar(Scalar::Int(value))
    }
}

impl From<u16> for Yaml {
    fn from(value: u16) -> Self {
        Yaml::Scalar(Scalar::Int(value.into()))
    }
}

impl From<Seq> for Yaml {
    fn from(seq: Seq) -> Self {
        Yaml::Seq(seq)
    }
}

impl From<Map> for Yaml {
    fn from(map: Map) -> Self {
        Yaml::Map(map)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Seq {
    pub(crate) items: Vec<Yaml>,
    /// Blank lines between the items, and after the last one when the enclosing map goes on.
    pub(crate) spaced: bool,
}

impl Seq {
    pub(crate) fn new(items: Vec<Yaml>) -> Self {
        Seq { items, spaced: false }
    }

    pub(crate) fn spaced(items: Vec<Yaml>) -> Self {
        Seq { items, spaced: true }
    }
}

/// A mapping whose entries keep the order they were added in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Map {
    pub(crate) entries: Vec<(Scalar, Yaml)>,
}

impl Map {
    pub(crate) fn new() -> Self {
        Map::default()
    }

    /// Adds `key: value` with a bare key.
    pub(crate) fn with(mut self, key: &'static str, value: impl Into<Yaml>) -> Self {
        self.insert(key, value);
        self
    }

    pub(crate) fn insert(&mut self, key: &'static str, value: impl Into<Yaml>) {
        self.entries.push((Scalar::Plain(Cow::Borrowed(key)), value.into()));
    }

    /// Adds an entry whose key is written in its own style, e.g. a quoted data key.
    pub(crate) fn insert_scalar(&mut self, key: Scalar, value: impl Into<Yaml>) {
        self.entries.push((key, value.into()));
    }
}

/// The text of `value`, ending in a newline.
pub(crate) fn write(value: &Yaml) -> String {
    let mut out = String::new();
    write_to(&mut out, value);
    out
}

/// Appends the text of `value` to `out`.
pub(crate) fn write_to(out: &mut String, value: &Yaml) {
    write_block(out, value, 0, false);
}

/// `value` with its lines indented by `indent`. `led`: the caller has already written the
/// start of the first line (the `- ` of the sequence item the value is), so the first line
/// gets no indentation of its own.
fn write_block(out: &mut String, value: &Yaml, indent: usize, led: bool) {
    let mut led = led;
    let mut line_start = |out: &mut String| {
        if !std::mem::take(&mut led) {
            out.extend(std::iter::repeat_n(' ', indent));
        }
    };
    match value {
        Yaml::Scalar(_) => {
            line_start(out);
            push_inline(out, value);
        }
        Yaml::Seq(seq) => {
            for (i, item) in seq.items.iter().enumerate() {
                if seq.spaced && i > 0 {
                    out.push('\n');
                }
                line_start(out);
                out.push_str("- ");
                if is_inline(item) {
                    push_inline(out, item);
                } else {
                    write_block(out, item, indent + 2, true);
                }
            }
        }
        Yaml::Map(map) => {
            for (i, (key, item)) in map.entries.iter().enumerate() {
                line_start(out);
                push_scalar(out, key);
                out.push(':');
                if is_inline(item) {
                    out.push(' ');
                    push_inline(out, item);
                    continue;
                }
                out.push('\n');
                write_block(out, item, indent + 2, false);
                if matches!(item, Yaml::Seq(seq) if seq.spaced) && i + 1 < map.entries.len() {
                    out.push('\n');
                }
            }
        }
    }
}

/// Scalars and empty collections stay on their key's or dash's line.
fn is_inline(value: &Yaml) -> bool {
    match value {
        Yaml::Scalar(_) => true,
        Yaml::Seq(seq) => seq.items.is_empty(),
        Yaml::Map(map) => map.entries.is_empty(),
    }
}

/// A scalar, or an empty collection in flow style, then the end of the line.
fn push_inline(out: &mut String, value: &Yaml) {
    match value {
        Yaml::Scalar(scalar) => push_scalar(out, scalar),
        Yaml::Seq(_) => out.push_str("[]"),
        Yaml::Map(_) => out.push_str("{}"),
    }
    out.push('\n');
}

fn push_scalar(out: &mut String, scalar: &Scalar) {
    match scalar {
        Scalar::Plain(text) if reads_back_plain(text) => out.push_str(text),
        Scalar::Plain(text) | Scalar::Quoted(text) => quote_into(out, text),
        Scalar::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        Scalar::Int(value) => out.push_str(&value.to_string()),
    }
}

/// `"text"`: a double-quoted scalar. Escapes are those of JSON (so the text is also a JSON
/// string), plus `\u` escapes for what YAML does not allow unescaped or YAML 1.1 reads as a
/// line break (DEL, C1 controls, NEL, the line and paragraph separators, BOM, non-characters).
fn quote_into(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' '
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}') =>
            {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `text`, written bare in block context, reads back as this string, in YAML 1.1 and
/// 1.2 alike. Deliberately strict: printable ASCII only, no indicator first, nothing that
/// starts a comment or a mapping value, and nothing any schema resolves to another type.
fn reads_back_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !"-?:,[]{}#&*!|>'\"%@` ".contains(first)
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !resolves_to_another_type(text)
}

/// Null, booleans (YAML 1.1's `yes`, `on`, … included), the merge and value keys, and
/// anything that starts like a number and holds only what numbers, dates and times are made
/// of (YAML 1.1 reads `1:20` and `2001-12-14` as numbers and timestamps).
fn resolves_to_another_type(text: &str) -> bool {
    const WORDS: [&str; 12] = ["~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "="];
    if WORDS.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return true;
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if [".inf", ".nan"].iter().any(|w| unsigned.eq_ignore_ascii_case(w)) {
        return true;
    }
    unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned.chars().all(|c| c.is_ascii_hexdigit() || "_.:+-xXoOtTzZ ".contains(c))
}

#[cfg(test)]
pub(crate) mod read_back;

#[cfg(test)]
mod tests;
