//! Parses stack files (KDL 2) into located documents.
//!
//! Parsing never fails: [`parse`] returns the document it could read, if any, plus every
//! syntax error as a [`Diagnostic`] pointing at the file. The tree ([`ast`]) holds the nodes,
//! entries and values with a [`Span`] on each; this crate's job is to build it quickly and to
//! make `kdl`'s errors ours.
//!
//! Two parsers build that tree: a fast path of our own (`fast.rs`) for the KDL that stack
//! files are made of, and `kdl`'s own parser (its tree converted by `from_kdl.rs`), which
//! reads everything else and reports every error. The fast path returns exactly the tree
//! `kdl`'s converts to, spans included, or nothing.
//!
//! Before either parser sees a text, `limits.rs` refuses one that is too large, nests too deep
//! or holds too long a string, so that no input can crash or stall them.
//!
//! It knows nothing about services, plugins or the filesystem.

pub mod ast;
mod fast;
pub mod format;
mod from_kdl;
mod hints;
pub mod limits;

use kdl::KdlDocument;
use miette::SourceSpan;
use stackc_diag::{Diagnostic, FileId, Span};

pub use ast::{Document, Entry, Ident, Node, Value};

/// A parsed source file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub file: FileId,
    /// `None` when the file had syntax errors: KDL's parser does not recover.
    pub document: Option<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `text` as KDL 2.
///
/// The fast path reads almost every stack file; whatever it leaves (errors included) goes to
/// `kdl`, so the result is `kdl`'s either way.
pub fn parse(file: FileId, text: &str) -> Parsed {
    if let Some(refused) = limits::check(file, text) {
        return Parsed { file, document: None, diagnostics: vec![refused] };
    }
    match fast::parse(file, text) {
        Some(document) => Parsed { file, document: Some(document), diagnostics: Vec::new() },
        None => parse_with_kdl(file, text),
    }
}

/// Parses `text` with `kdl`'s own parser: the reference, and the one that reports errors.
fn parse_with_kdl(file: FileId, text: &str) -> Parsed {
    match KdlDocument::parse_v2(text) {
        Ok(document) => Parsed { file, document: Some(from_kdl::document(file, &document)), diagnostics: Vec::new() },
        Err(error) => {
            let diagnostics = error
                .diagnostics
                .iter()
                .map(|d| {
                    let message = d.message.clone().unwrap_or_else(|| "invalid KDL".to_owned());
                    let label = d.label.clone().unwrap_or_else(|| "here".to_owned());
                    Diagnostic::error("stackc::syntax", lowercase_first(&message))
                        .at(span(file, d.span), label)
                        .with_help_opt(d.help.clone())
                })
                .map(|d| hints::explain(text, d))
                .collect();
            Parsed { file, document: None, diagnostics }
        }
    }
}

/// Converts a `kdl` span into ours.
fn span(file: FileId, span: SourceSpan) -> Span {
    Span::new(file, span.offset(), span.offset() + span.len())
}

/// Our messages are lower case; the `kdl` crate's start with a capital.
fn lowercase_first(message: &str) -> String {
    let message = message.trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        // Keep acronyms such as "KDL" intact.
        Some(c) if !chars.clone().next().is_some_and(char::is_uppercase) => c.to_lowercase().chain(chars).collect(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackc_diag::Sources;

    #[test]
    fn valid_documents_have_no_diagnostics() {
        let mut sources = Sources::new();
        let id = sources.add("ok.kdl", "stack \"x\"\nhost \"a\" address=\"10.0.0.1\"\n");
        let parsed = parse(id, &sources.get(id).text);
        assert!(parsed.diagnostics.is_empty());
        let doc = parsed.document.expect("document");
        assert_eq!(doc.nodes().len(), 2);
        let host = &doc.nodes()[1];
        assert_eq!(sources.slice(host.name().span()), "host");
    }

    #[test]
    fn errors_point_into_the_file() {
        let mut sources = Sources::new();
        let text = "stack \"x\"\nhost \"a\" address=\n";
        let id = sources.add("bad.kdl", text);
        let parsed = parse(id, text);
        assert!(parsed.document.is_none());
        assert!(!parsed.diagnostics.is_empty());
        for d in &parsed.diagnostics {
            let s = d.span.expect("span");
            assert!(s.end as usize <= text.len());
        }
    }

    #[test]
    fn messages_are_lower_case() {
        assert_eq!(lowercase_first("Expected a value."), "expected a value");
        assert_eq!(lowercase_first("KDL is odd"), "KDL is odd");
    }
}
