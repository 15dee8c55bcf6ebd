//! The canonical layout of a stack file (`stackc fmt`): one node per line, four spaces per
//! level, one space between entries, `{` on the node's line and `}` on its own, at most one
//! blank line between nodes and none at the start of a block. Comments stay where they are
//! relative to the nodes, each on its own line (a comment after a node stays after it on its
//! line). Entries keep the text they were written with: `"web"` stays quoted, `0x10` stays hex,
//! a multi-line string keeps its lines.
//!
//! The result is checked before it is returned: it must read as the same document as the
//! input (compared without comments and layout). A layout that would change what the file
//! says is refused, never written.

use kdl::{KdlDocument, KdlNode};

/// Why a text was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The text is not valid KDL 2; `parse` reports where.
    Invalid,
    /// The layout would change the document (a bug of the formatter, never written).
    WouldChange,
}

/// `text` in the canonical layout.
pub fn format(text: &str) -> Result<String, FormatError> {
    let document = KdlDocument::parse_v2(text).map_err(|_| FormatError::Invalid)?;
    let mut out = String::new();
    let leading = document.format().map_or("", |f| f.leading.as_str());
    push_comments(&mut out, &lines(leading, false), 0);
    write_nodes(&mut out, &document, 0, false);
    let trailing = document.format().map_or("", |f| f.trailing.as_str());
    push_comments(&mut out, &lines(trailing, false), 0);
    let formatted = out.trim_start_matches('\n').trim_end().to_owned() + "\n";
    if same_document(text, &formatted) { Ok(formatted) } else { Err(FormatError::WouldChange) }
}

/// A line of whitespace and comments between nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Blank,
    Comment(String),
}

fn write_nodes(out: &mut String, document: &KdlDocument, depth: usize, in_block: bool) {
    for (index, node) in document.nodes().iter().enumerate() {
        let leading = node.format().map_or("", |f| f.leading.as_str());
        // The first node of a block starts on the `{` line: that line's rest is not a blank line.
        let mut before = lines(leading, index == 0 && in_block);
        if index == 0 {
            while before.first() == Some(&Line::Blank) {
                before.remove(0);
            }
        }
        push_comments(out, &before, depth);
        write_node(out, node, depth);
    }
}

fn write_node(out: &mut String, node: &KdlNode, depth: usize) {
    let indent = "    ".repeat(depth);
    out.push_str(&indent);
    if let Some(ty) = node.ty() {
        out.push_str(&format!("({ty})"));
    }
    out.push_str(&node.name().to_string());
    for entry in node.entries() {
        out.push(' ');
        out.push_str(entry.to_string().trim_start_matches(|c: char| c.is_whitespace() || c == '\\'));
    }
    let format = node.format();
    let after = format.map_or(String::new(), |f| format!("{}{}{}", f.before_terminator, f.terminator, f.trailing));
    if let Some(children) = node.children() {
        let inner = children.format().map_or("", |f| f.trailing.as_str());
        let closing = lines(inner, children.nodes().is_empty());
        if children.nodes().is_empty() && closing.iter().all(|l| *l == Line::Blank) {
            out.push_str(" {}");
        } else {
            out.push_str(" {\n");
            write_nodes(out, children, depth + 1, true);
            let mut closing = closing;
            while closing.last() == Some(&Line::Blank) {
                closing.pop();
            }
            push_comments(out, &closing, depth + 1);
            out.push_str(&indent);
            out.push('}');
        }
    }
    if let Some(comment) = comment_in(&after) {
        out.push(' ');
        out.push_str(&comment);
    }
    out.push('\n');
}

/// The lines of whitespace and comments in `text`, blank runs made one. `mid_line`: `text`
/// starts in the middle of a line, whose rest (if only whitespace) is no line of its own.
fn lines(text: &str, mid_line: bool) -> Vec<Line> {
    let mut segments: Vec<&str> = text.split('\n').collect();
    // What follows the last newline is the next node's indentation.
    segments.pop();
    if mid_line && segments.first().is_some_and(|s| s.trim().is_empty()) {
        segments.remove(0);
    }
    let mut out: Vec<Line> = Vec::new();
    for segment in segments {
        let line = segment.trim();
        if line.is_empty() {
            if out.last() != Some(&Line::Blank) {
                out.push(Line::Blank);
            }
        } else {
            out.push(Line::Comment(line.to_owned()));
        }
    }
    out
}

fn push_comments(out: &mut String, lines: &[Line], depth: usize) {
    let indent = "    ".repeat(depth);
    for line in lines {
        match line {
            Line::Blank => out.push('\n'),
            Line::Comment(text) => {
                out.push_str(&indent);
                out.push_str(text);
                out.push('\n');
            }
        }
    }
}

/// A comment on the rest of a node's line (`listen 80 // the default`), if any.
fn comment_in(after: &str) -> Option<String> {
    let start = after.find("//").or_else(|| after.find("/*"))?;
    Some(after[start..].trim().to_owned())
}

/// Whether two texts are the same document once comments and layout are set aside.
fn same_document(a: &str, b: &str) -> bool {
    let bare = |text: &str| {
        KdlDocument::parse_v2(text).ok().map(|mut d| {
            d.autoformat_no_comments();
            d.to_string()
        })
    };
    matches!((bare(a), bare(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_nodes_and_keeps_comments() {
        let text = "// head\n\n\n\nstack  \"x\"   // the name\nhost \"a\" address=\"1\"{\n\n  groups \"web\"; labels a=\"b\"\n  // last\n\n}\n/-service \"z\"\nparam \"p\" \\\n   type=\"int\"\nservice \"s\" {}\n";
        let formatted = format(text).expect("formats");
        assert_eq!(
            formatted,
            "// head\n\nstack \"x\" // the name\nhost \"a\" address=\"1\" {\n    groups \"web\"\n    labels a=\"b\"\n    // last\n}\n/-service \"z\"\nparam \"p\" type=\"int\"\nservice \"s\" {}\n"
        );
        assert_eq!(format(&formatted).expect("formats"), formatted, "idempotent");
    }

    #[test]
    fn invalid_kdl_is_not_formatted() {
        assert_eq!(format("node {"), Err(FormatError::Invalid));
    }

    #[test]
    fn multi_line_strings_keep_their_lines() {
        let text = "files {\n  \"a\" \"\"\"\n    one\n      two\n    \"\"\"\n}\n";
        let formatted = format(text).expect("formats");
        assert!(formatted.contains("\"\"\"\n    one\n      two\n    \"\"\""), "{formatted}");
    }
}
