//! The fast path: a hand-written, single-pass reader for the KDL 2 that stack files are made
//! of, some twenty times faster than `kdl`'s parser (most of its time is spent allocating
//! `kdl`'s nodes and entries).
//!
//! It builds our tree ([`crate::ast`]) with the spans that `KdlDocument::parse_v2` gives, or
//! gives up with `None`. It gives up on every syntax error and on every construct it leaves to
//! `kdl` (listed on [`parse`]); [`crate::parse`] then asks `kdl`, which stays the reference and
//! the only reporter of errors. So it either returns exactly the tree `kdl`'s would convert to
//! or nothing; the differential tests in `fast/tests.rs` hold it to that.
//!
//! The spans, as `parse_v2` sets them:
//! - a node: from its type annotation (or name) to the end of its last entry, name or children
//!   block, plus the spaces and `/* */` comments after that, up to its terminator;
//! - a name, property key or type name: its token, quotes included (a type's parentheses are
//!   not part of its name);
//! - an entry: from its type annotation, key or value to the end of its value;
//! - a document (the file or a children block): from the start of its first node to the end
//!   of its last; with no nodes, the empty span where its `}` (or the end of the file) is.

use stackc_diag::{FileId, Span};

use crate::ast::{Document, Entry, Ident, Node, Value};

#[cfg(test)]
mod tests;

/// Parses `text` as `KdlDocument::parse_v2` would, or returns `None` if it is not certain to.
///
/// Read: bare identifiers, quoted strings with every single-line escape (`\u{…}` and
/// whitespace escapes included), decimal, hexadecimal, octal and binary numbers, `#true`,
/// `#false` and `#null`, type annotations on nodes and values, properties (also with spaces
/// around `=`), children blocks, `;`, `//` and nested `/* */` comments, `\n`, `\r\n` and `\r`.
///
/// Left to `kdl` (the whole file falls back): multi-line strings (`"""`), raw strings
/// (`#"…"#`), slashdash (`/-`), line continuations (`\`), `#inf`, `#-inf` and `#nan`, bare
/// `inf`, `nan` and the like, Unicode spaces and newlines other than space, tab, `\n` and `\r`,
/// a byte order mark, control characters, and anything malformed.
pub(crate) fn parse(file: FileId, text: &str) -> Option<Document> {
    let mut parser = Parser { file, text, bytes: text.as_bytes(), pos: 0, nodes: Vec::new(), entries: Vec::new() };
    let document = parser.nodes()?;
    // `nodes` also stops at a `}`, which at the top level is an error.
    (parser.pos == text.len()).then_some(document)
}

/// A cursor over the text. `pos` is always on a character boundary between steps.
struct Parser<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The nodes of the documents being read, innermost last, and the entries of the node
    /// being read: each list is moved into a vector of its exact size once complete, so that
    /// no node holds the spare capacity of a vector grown one push at a time.
    nodes: Vec<Node>,
    entries: Vec<Entry>,
}

/// A value token: a string (bare or quoted), which may also be a name, or another value.
enum Token {
    String(String),
    Other(Value),
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// The (possibly non-ASCII) character at the cursor.
    fn char_here(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    /// From `start` to the cursor.
    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    /// An argument entry holding `value`; [`Self::entry`] sets its span once it is read.
    fn argument(&self, value: Value) -> Entry {
        Entry { name: None, ty: None, value, span: Span::new(self.file, self.pos, self.pos) }
    }

    // Documents and nodes.

    /// `line-space* (node terminator line-space*)*`, up to the end of the text or a `}`, which
    /// is left to the caller.
    fn nodes(&mut self) -> Option<Document> {
        let first = self.nodes.len();
        self.line_space()?;
        let start = self.pos;
        let mut end = start;
        while !matches!(self.peek(), None | Some(b'}')) {
            let node = self.node()?;
            end = self.pos;
            self.nodes.push(node);
            self.terminator()?;
            self.line_space()?;
        }
        Some(Document { nodes: self.nodes.drain(first..).collect(), span: Span::new(self.file, start, end) })
    }

    /// What may follow a node: `;`, a newline, a `//` comment, or (not consumed) `}` or the end.
    fn terminator(&mut self) -> Option<()> {
        match self.peek() {
            None | Some(b'}') => {}
            Some(b';') => self.pos += 1,
            Some(b'\n' | b'\r') => self.newline(),
            Some(b'/') if self.peek_at(1) == Some(b'/') => self.line_comment()?,
            Some(_) => return None,
        }
        Some(())
    }

    /// `(type)? name (space+ entry)* space* children? space*`, ending before its terminator.
    fn node(&mut self) -> Option<Node> {
        let start = self.pos;
        let ty = self.type_annotation()?;
        let name = self.identifier()?;
        let first = self.entries.len();
        let children = loop {
            let before_space = self.pos;
            self.node_space()?;
            match self.peek() {
                None | Some(b';' | b'\n' | b'\r' | b'}') => break false,
                Some(b'/') if self.peek_at(1) == Some(b'/') => break false,
                Some(b'{') => break true,
                // Entries are separated from what comes before them by space.
                Some(_) if self.pos > before_space => {
                    let entry = self.entry()?;
                    self.entries.push(entry);
                }
                Some(_) => return None,
            }
        };
        let entries = self.entries.drain(first..).collect();
        let children = if children {
            let document = self.children()?;
            self.node_space()?;
            Some(document)
        } else {
            None
        };
        Some(Node { ty: ty.map(Box::new), name, entries, children, span: self.span(start) })
    }

    /// `{ nodes }`, the cursor on the `{`.
    fn children(&mut self) -> Option<Document> {
        self.pos += 1;
        let document = self.nodes()?;
        self.eat(b'}').then_some(document)
    }

    /// A property `key=value` or an argument `value`, either with a type annotation.
    fn entry(&mut self) -> Option<Entry> {
        let start = self.pos;
        let mut entry = match self.peek() {
            Some(b'(') => self.value()?,
            _ => match self.token()? {
                Token::String(string) => self.property_or_argument(start, string)?,
                Token::Other(value) => self.argument(value),
            },
        };
        entry.span = self.span(start);
        Some(entry)
    }

    /// After a string at `start`: a property if `=` follows (spaces allowed around it), else
    /// the string is an argument.
    fn property_or_argument(&mut self, start: usize, string: String) -> Option<Entry> {
        let key_end = self.pos;
        self.node_space()?;
        if !self.eat(b'=') {
            self.pos = key_end;
            return Some(self.argument(Value::String(string)));
        }
        let key = Ident { value: string, span: Span::new(self.file, start, key_end) };
        self.node_space()?;
        let mut entry = self.value()?;
        entry.name = Some(key);
        Some(entry)
    }

    /// `(type)? space* value`, as an argument entry without a span yet.
    fn value(&mut self) -> Option<Entry> {
        let ty = self.type_annotation()?;
        let value = match self.token()? {
            Token::String(string) => Value::String(string),
            Token::Other(value) => value,
        };
        let mut entry = self.argument(value);
        entry.ty = ty.map(Box::new);
        Some(entry)
    }

    /// `( space* name space* ) space*` if the cursor is on a `(`: `Some(None)` if it is not.
    fn type_annotation(&mut self) -> Option<Option<Ident>> {
        if !self.eat(b'(') {
            return Some(None);
        }
        self.node_space()?;
        let name = self.identifier()?;
        self.node_space()?;
        if !self.eat(b')') {
            return None;
        }
        self.node_space()?;
        Some(Some(name))
    }

    /// A node name, property key or type name: a bare or quoted string, with its span.
    fn identifier(&mut self) -> Option<Ident> {
        let start = self.pos;
        let Token::String(value) = self.token()? else { return None };
        Some(Ident { value, span: self.span(start) })
    }

    // Tokens.

    /// A quoted string, a keyword, or a bare word (a bare string or a number).
    fn token(&mut self) -> Option<Token> {
        match self.peek()? {
            b'"' => self.quoted_string().map(Token::String),
            b'#' => self.keyword().map(Token::Other),
            _ => bare_word(self.word()?),
        }
    }

    /// `#true`, `#false` or `#null`.
    fn keyword(&mut self) -> Option<Value> {
        let rest = &self.bytes[self.pos + 1..];
        let (value, len) = if rest.starts_with(b"true") {
            (Value::Bool(true), 4)
        } else if rest.starts_with(b"false") {
            (Value::Bool(false), 5)
        } else if rest.starts_with(b"null") {
            (Value::Null, 4)
        } else {
            return None;
        };
        self.pos += 1 + len;
        Some(value)
    }

    /// The longest run of identifier characters at the cursor; `None` if there is none or a
    /// character left to `kdl` (a Unicode space or newline, a disallowed one) is in it.
    fn word(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while let Some(byte) = self.peek() {
            if byte.is_ascii() {
                if !is_identifier_byte(byte) {
                    break;
                }
                self.pos += 1;
            } else {
                let c = self.char_here()?;
                if is_unicode_space(c) || is_other_newline(c) || is_disallowed(c) {
                    return None;
                }
                self.pos += c.len_utf8();
            }
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }

    /// A single-line `"…"` string, the cursor on the opening quote.
    fn quoted_string(&mut self) -> Option<String> {
        if self.bytes[self.pos..].starts_with(b"\"\"\"") {
            return None; // a multi-line string
        }
        self.pos += 1;
        let start = self.pos;
        // Most strings have no escapes: one slice of the text.
        loop {
            match self.peek()? {
                b'"' => {
                    let string = self.text[start..self.pos].to_owned();
                    self.pos += 1;
                    return Some(string);
                }
                b'\\' => return self.escaped_string(start),
                _ => self.string_char()?,
            }
        }
    }

    /// The rest of a string from its first `\`, its body starting at `start`.
    fn escaped_string(&mut self, start: usize) -> Option<String> {
        let mut string = self.text[start..self.pos].to_owned();
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(string);
                }
                b'\\' => self.escape(&mut string)?,
                _ => {
                    let from = self.pos;
                    self.string_char()?;
                    string.push_str(&self.text[from..self.pos]);
                }
            }
        }
    }

    /// Steps over one literal character of a string: not a newline, a control character or a
    /// disallowed code point (tab is fine).
    fn string_char(&mut self) -> Option<()> {
        let byte = self.peek()?;
        if byte.is_ascii() {
            self.pos += 1;
            return (!byte.is_ascii_control() || byte == b'\t').then_some(());
        }
        let c = self.char_here()?;
        if is_other_newline(c) || is_disallowed(c) {
            return None;
        }
        self.pos += c.len_utf8();
        Some(())
    }

    /// An escape, the cursor on its `\`: appends what it stands for to `string`.
    fn escape(&mut self, string: &mut String) -> Option<()> {
        self.pos += 1;
        let c = match self.peek()? {
            b' ' | b'\t' | b'\n' | b'\r' => return self.whitespace_escape(),
            b'u' => return self.unicode_escape(string),
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b's' => ' ',
            _ => return None,
        };
        self.pos += 1;
        string.push(c);
        Some(())
    }

    /// A `\` followed by whitespace and newlines, which all stand for nothing.
    fn whitespace_escape(&mut self) -> Option<()> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
        // `kdl` would skip other Unicode spaces and newlines as well: leave those to it.
        let c = self.char_here()?;
        (!is_unicode_space(c) && !is_other_newline(c)).then_some(())
    }

    /// `\u{X}` with one to six hexadecimal digits naming a Unicode scalar value, the cursor on
    /// the `u`.
    fn unicode_escape(&mut self, string: &mut String) -> Option<()> {
        let rest = &self.bytes[self.pos..];
        if rest.get(1) != Some(&b'{') {
            return None;
        }
        let digits = rest[2..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if !(1..=6).contains(&digits) || rest.get(2 + digits) != Some(&b'}') {
            return None;
        }
        let hex = &self.text[self.pos + 2..self.pos + 2 + digits];
        string.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
        self.pos += 3 + digits;
        Some(())
    }

    // Space and comments.

    /// Spaces, tabs and `/* */` comments.
    fn node_space(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'*') => self.block_comment()?,
                _ => return Some(()),
            }
        }
    }

    /// Node space, newlines and `//` comments.
    fn line_space(&mut self) -> Option<()> {
        loop {
            self.node_space()?;
            match self.peek() {
                Some(b'\n' | b'\r') => self.newline(),
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.line_comment()?,
                _ => return Some(()),
            }
        }
    }

    /// `\n`, `\r\n` or `\r`, the cursor on its first byte.
    fn newline(&mut self) {
        let crlf = self.bytes[self.pos..].starts_with(b"\r\n");
        self.pos += if crlf { 2 } else { 1 };
    }

    /// `// …` up to and including the newline (or the end of the text).
    fn line_comment(&mut self) -> Option<()> {
        self.pos += 2;
        while let Some(byte) = self.peek() {
            if byte == b'\n' || byte == b'\r' {
                self.newline();
                break;
            }
            // Another newline would end the comment.
            if byte.is_ascii() && !matches!(byte, 0x0b | 0x0c) {
                self.pos += 1;
                continue;
            }
            let c = self.char_here()?;
            if is_other_newline(c) {
                return None;
            }
            self.pos += c.len_utf8();
        }
        Some(())
    }

    /// `/* … */`, nested ones included, the cursor on the `/`.
    fn block_comment(&mut self) -> Option<()> {
        self.pos += 2;
        let mut depth = 1_u32;
        while depth > 0 {
            // Byte by byte: `*` and `/` never occur inside a multi-byte character.
            match (self.peek()?, self.peek_at(1)) {
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        Some(())
    }
}

/// A bare word as `kdl` reads it: a number if it starts like one (after an optional sign, a
/// digit), else a bare string. `None` for what `kdl` rejects or the fast path leaves to it: a
/// word starting like a fraction (`.5`) and the keywords without their `#`.
fn bare_word(word: &str) -> Option<Token> {
    let unsigned = word.strip_prefix(['+', '-']).unwrap_or(word);
    match unsigned.as_bytes() {
        [b'0'..=b'9', ..] => number(word).map(Token::Other),
        [b'.', b'0'..=b'9', ..] => None,
        _ if matches!(word, "true" | "false" | "null") || matches!(unsigned, "inf" | "nan") => None,
        _ => Some(Token::String(word.to_owned())),
    }
}

/// A whole word as a number: `0x`, `0o` or `0b` integers, or decimal ones, which are floats
/// with a fraction or an exponent. `None` if any of it is not part of the number.
fn number(word: &str) -> Option<Value> {
    let (negative, unsigned) = match word.as_bytes().first()? {
        b'-' => (true, &word[1..]),
        b'+' => (false, &word[1..]),
        _ => (false, word),
    };
    let radix = match unsigned.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => return decimal(word, negative, unsigned),
    };
    let magnitude = digits(&unsigned[2..], radix)?;
    Some(Value::Integer(if negative { -magnitude } else { magnitude }))
}

/// `integer ('.' integer)? (('e' | 'E') sign? integer)?` (the sign already split off).
fn decimal(word: &str, negative: bool, unsigned: &str) -> Option<Value> {
    let (integer, mut rest) = unsigned.split_at(unsigned.find(['.', 'e', 'E']).unwrap_or(unsigned.len()));
    let magnitude = digits(integer, 10)?;
    let mut float = false;
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction.find(['e', 'E']).unwrap_or(fraction.len());
        digits(&fraction[..end], 10)?;
        rest = &fraction[end..];
        float = true;
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent), 10)?;
        float = true;
    }
    if !float {
        return Some(Value::Integer(if negative { -magnitude } else { magnitude }));
    }
    // As `kdl` does: the whole word, underscores removed, through the standard library.
    word.replace('_', "").parse().ok().map(Value::Float)
}

/// `digit (digit | '_')*` in `radix`, as an `i128`: `kdl` reads every digit group of a number
/// (even a float's fraction and exponent) as one, and rejects the number if one overflows.
fn digits(text: &str, radix: u32) -> Option<i128> {
    let is_digit = |b: u8| char::from(b).is_digit(radix);
    let (&first, rest) = text.as_bytes().split_first()?;
    if !is_digit(first) || !rest.iter().all(|&b| b == b'_' || is_digit(b)) {
        return None;
    }
    if text.contains('_') {
        i128::from_str_radix(&text.replace('_', ""), radix).ok()
    } else {
        i128::from_str_radix(text, radix).ok()
    }
}

/// ASCII characters of bare identifiers: printable, not space, and not one of `\/(){}[];"#=`.
fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_graphic()
        && !matches!(byte, b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b';' | b'"' | b'#' | b'=')
}

/// KDL 2's spaces other than space and tab.
fn is_unicode_space(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// KDL 2's newlines other than `\n` and `\r`.
fn is_other_newline(c: char) -> bool {
    matches!(c, '\u{B}' | '\u{C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Code points KDL 2 forbids in a document (or, for `U+7F`, that the fast path leaves to
/// `kdl`): control characters other than whitespace, direction controls, and the BOM.
fn is_disallowed(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{E}'..='\u{1F}' | '\u{7F}'
        | '\u{200E}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
