//! A forgiving reading of a KDL text, for what the cursor is on.
//!
//! The compiler's parser gives up on the first syntax error, and a buffer being typed into
//! has one most of the time (`plugin="ng` has no closing quote yet). This reader never fails:
//! a string runs to its closing quote or the end of its line, a block to its `}` or the end of
//! the text, and a stray `}` or `=` is skipped. It keeps what hover, completion and definition
//! look at (node names, entries, type annotations, blocks, and the byte range of each) and
//! nothing else; diagnostics always come from the compiler.

use std::ops::Range;

/// A node: `(type)? name entry* { children }?`.
#[derive(Debug)]
pub struct Node {
    pub name: Token,
    pub entries: Vec<Entry>,
    pub children: Option<Block>,
    /// From the name to the end of the last entry; the children block is not part of it.
    pub head: Range<usize>,
}

/// A `{ … }` block.
#[derive(Debug)]
pub struct Block {
    pub nodes: Vec<Node>,
    /// From just after `{` to the `}` (or the end of the text when it is not closed).
    pub inside: Range<usize>,
}

/// An argument (`key` is `None`) or a property.
#[derive(Debug)]
pub struct Entry {
    pub key: Option<Token>,
    /// The type annotation's name: `ref` in `(ref)"api.http"`.
    pub ty: Option<String>,
    pub value: Token,
}

/// A name or value as written.
#[derive(Debug, Clone)]
pub struct Token {
    /// The value: a string's escapes decoded, a bare word as is.
    pub text: String,
    /// The whole token, quotes included.
    pub span: Range<usize>,
    /// A string's contents between its quotes (to the end of the line when it is not closed);
    /// the whole token for a bare word.
    pub inner: Range<usize>,
}

impl Node {
    pub fn is(&self, name: &str) -> bool {
        self.name.text == name
    }

    /// The first argument.
    pub fn argument(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key.is_none())
    }

    pub fn property(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key.as_ref().is_some_and(|k| k.text == key))
    }
}

/// The top-level nodes of `text`.
pub fn read(text: &str) -> Vec<Node> {
    let mut parser = Parser { lexemes: lex(text), next: 0, end: text.len() };
    parser.nodes(false).0
}

#[derive(Debug)]
enum Lexeme {
    Word(Token),
    /// `(name)`, as a token whose text is the name.
    Type(Token),
    Equals(usize),
    Open(usize),
    Close(usize),
    /// A newline or `;`: the end of a node.
    Break,
}

fn lex(text: &str) -> Vec<Lexeme> {
    let bytes = text.as_bytes();
    let mut lexemes = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &text[at..];
        match bytes[at] {
            b'\n' | b'\r' | b';' => {
                lexemes.push(Lexeme::Break);
                at += 1;
            }
            b'{' => {
                lexemes.push(Lexeme::Open(at + 1));
                at += 1;
            }
            b'}' => {
                lexemes.push(Lexeme::Close(at));
                at += 1;
            }
            b'=' => {
                lexemes.push(Lexeme::Equals(at + 1));
                at += 1;
            }
            _ if rest.starts_with("//") => at += rest.find('\n').unwrap_or(rest.len()),
            _ if rest.starts_with("/*") => at += block_comment_len(rest),
            // Slashdash comments out what follows; the outline keeps it, which only matters
            // for names offered that the compiler would not see.
            _ if rest.starts_with("/-") => at += 2,
            // A line continuation: the newline after it does not end the node.
            b'\\' => {
                at += 1;
                let line = &text[at..];
                let blank = line.find(|c: char| !(c == ' ' || c == '\t')).unwrap_or(line.len());
                if line[blank..].starts_with('\n') {
                    at += blank + 1;
                } else if line[blank..].starts_with("\r\n") {
                    at += blank + 2;
                }
            }
            b'(' => {
                let close = rest.find([')', '\n']).unwrap_or(rest.len());
                let name = rest[1..close].trim().trim_matches('"');
                let end = at + close + usize::from(rest[close..].starts_with(')'));
                lexemes.push(Lexeme::Type(Token { text: name.to_owned(), span: at..end, inner: at + 1..at + close }));
                at = end;
            }
            b'"' => {
                let token = quoted(text, at);
                at = token.span.end;
                lexemes.push(Lexeme::Word(token));
            }
            b'#' if rest[1..].starts_with(['"', '#']) => {
                let token = raw(text, at);
                at = token.span.end;
                lexemes.push(Lexeme::Word(token));
            }
            _ => {
                let c = rest.chars().next().expect("not at the end");
                if c.is_whitespace() {
                    at += c.len_utf8();
                    continue;
                }
                let len = rest
                    .find(|c: char| c.is_whitespace() || "(){}[]=;\"\\".contains(c) || c == '/')
                    .unwrap_or(rest.len())
                    .max(c.len_utf8());
                let span = at..at + len;
                lexemes.push(Lexeme::Word(Token { text: rest[..len].to_owned(), span: span.clone(), inner: span }));
                at += len;
            }
        }
    }
    lexemes
}

/// The length of a `/* … */` comment at the start of `text`, nested ones included.
fn block_comment_len(text: &str) -> usize {
    let mut depth = 0;
    let mut at = 0;
    while at < text.len() {
        if text[at..].starts_with("/*") {
            depth += 1;
            at += 2;
        } else if text[at..].starts_with("*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    text.len()
}

/// A `"…"` string at `start` (or a `"""` multi-line one), closed or not.
fn quoted(text: &str, start: usize) -> Token {
    if text[start..].starts_with("\"\"\"") {
        let inner = start + 3;
        let close = text[inner..].find("\"\"\"").map(|i| inner + i);
        let end = close.map_or(text.len(), |c| c + 3);
        let inner = inner..close.unwrap_or(text.len());
        return Token { text: text[inner.clone()].to_owned(), span: start..end, inner };
    }
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        let at = start + 1 + i;
        match c {
            '"' => return Token { text: value, span: start..at + 1, inner: start + 1..at },
            '\n' | '\r' => return Token { text: value, span: start..at, inner: start + 1..at },
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 's')) => value.push(' '),
                Some((_, escaped)) => value.push(escaped),
                None => {}
            },
            c => value.push(c),
        }
    }
    Token { text: value, span: start..text.len(), inner: start + 1..text.len() }
}

/// A raw string `#"…"#` (any number of `#`) at `start`, closed or not.
fn raw(text: &str, start: usize) -> Token {
    let hashes = text[start..].find(|c| c != '#').unwrap_or(text.len() - start);
    let open = start + hashes;
    if !text[open..].starts_with('"') {
        // `##` and no quote: not a string; a word.
        let span = start..open;
        return Token { text: text[span.clone()].to_owned(), span: span.clone(), inner: span };
    }
    let closing = format!("\"{}", "#".repeat(hashes));
    let inner = open + 1;
    let close = text[inner..].find(&closing).map(|i| inner + i);
    let end = close.map_or(text.len(), |c| c + closing.len());
    let inner = inner..close.unwrap_or(text.len());
    Token { text: text[inner.clone()].to_owned(), span: start..end, inner }
}

struct Parser {
    lexemes: Vec<Lexeme>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.next)
    }

    fn bump(&mut self) -> Option<&Lexeme> {
        self.next += 1;
        self.lexemes.get(self.next - 1)
    }

    /// Nodes up to the `}` closing the block (`nested`) or the end of the text, and where
    /// they end.
    fn nodes(&mut self, nested: bool) -> (Vec<Node>, usize) {
        let mut nodes = Vec::new();
        while let Some(lexeme) = self.bump() {
            match lexeme {
                Lexeme::Close(at) if nested => return (nodes, *at),
                Lexeme::Word(name) => {
                    let name = name.clone();
                    nodes.push(self.node(name));
                }
                // A block without a node: read through so that its braces stay balanced.
                Lexeme::Open(_) => drop(self.nodes(true)),
                Lexeme::Close(_) | Lexeme::Break | Lexeme::Equals(_) | Lexeme::Type(_) => {}
            }
        }
        (nodes, self.end)
    }

    /// The rest of the node named `name`.
    fn node(&mut self, name: Token) -> Node {
        let mut head = name.span.clone();
        let mut entries = Vec::new();
        let mut children = None;
        let mut ty = None;
        while let Some(lexeme) = self.peek() {
            match lexeme {
                Lexeme::Break | Lexeme::Close(_) => break,
                &Lexeme::Open(start) => {
                    self.bump();
                    let (nodes, end) = self.nodes(true);
                    children = Some(Block { nodes, inside: start..end });
                    break;
                }
                Lexeme::Type(t) => {
                    ty = Some(t.text.clone());
                    head.end = t.span.end;
                    self.bump();
                }
                Lexeme::Equals(_) => {
                    self.bump();
                }
                Lexeme::Word(word) => {
                    let word = word.clone();
                    self.bump();
                    let entry = match self.peek() {
                        Some(&Lexeme::Equals(after)) => {
                            self.bump();
                            self.property(word, after)
                        }
                        _ => Entry { key: None, ty: ty.take(), value: word },
                    };
                    head.end = entry.value.span.end;
                    entries.push(entry);
                }
            }
        }
        Node { name, entries, children, head }
    }

    /// The value of the property `key`, whose `=` ends at `after`; an empty bare value there
    /// when none follows yet.
    fn property(&mut self, key: Token, after: usize) -> Entry {
        let mut ty = None;
        if let Some(Lexeme::Type(t)) = self.peek() {
            ty = Some(t.text.clone());
            self.bump();
        }
        let value = match self.peek() {
            Some(Lexeme::Word(value)) => {
                let value = value.clone();
                self.bump();
                value
            }
            _ => Token { text: String::new(), span: after..after, inner: after..after },
        };
        Entry { key: Some(key), ty, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_entries_types_and_blocks() {
        let text = "service \"proxy\" plugin=\"nginx\" { // x\n  upstream \"a\" { servers (ref)\"a.http\"; }\n}\n";
        let nodes = read(text);
        assert_eq!(nodes.len(), 1);
        let service = &nodes[0];
        assert!(service.is("service"));
        assert_eq!(service.argument().map(|e| e.value.text.as_str()), Some("proxy"));
        assert_eq!(service.property("plugin").map(|e| e.value.text.as_str()), Some("nginx"));
        assert_eq!(&text[service.head.clone()], "service \"proxy\" plugin=\"nginx\"");
        let block = service.children.as_ref().expect("a block");
        assert_eq!(&text[block.inside.end..=block.inside.end], "}");
        let upstream = &block.nodes[0];
        let servers = &upstream.children.as_ref().expect("a block").nodes[0];
        let reference = &servers.entries[0];
        assert_eq!((reference.ty.as_deref(), reference.value.text.as_str()), (Some("ref"), "a.http"));
        assert_eq!(&text[reference.value.inner.clone()], "a.http");
    }

    #[test]
    fn unfinished_text_still_reads() {
        let text = "service \"web\" plugin=\"ng\nservice \"b\" plugin= {\n  tls {\n    cert";
        let nodes = read(text);
        assert_eq!(nodes.len(), 2);
        let unclosed = nodes[0].property("plugin").expect("plugin");
        assert_eq!((unclosed.value.text.as_str(), &text[unclosed.value.inner.clone()]), ("ng", "ng"));
        let empty = nodes[1].property("plugin").expect("plugin");
        assert_eq!(empty.value.span.len(), 0);
        let tls = &nodes[1].children.as_ref().expect("block").nodes[0];
        let cert = &tls.children.as_ref().expect("block").nodes[0];
        assert_eq!(cert.name.text, "cert");
        assert_eq!(tls.children.as_ref().expect("block").inside.end, text.len());
    }

    #[test]
    fn comments_escapes_and_raw_strings() {
        let text = "/* a { */ a \"q\\\"\\n\" #\"raw \"x\"\"# /-b 1 \\\n  c=#true } d";
        let nodes = read(text);
        let names: Vec<&str> = nodes.iter().map(|n| n.name.text.as_str()).collect();
        assert_eq!(names, ["a", "d"]);
        let values: Vec<&str> = nodes[0].entries.iter().map(|e| e.value.text.as_str()).collect();
        assert_eq!(values, ["q\"\n", "raw \"x\"", "b", "1", "#true"]);
        assert_eq!(nodes[0].property("c").map(|e| e.value.text.as_str()), Some("#true"));
    }
}
