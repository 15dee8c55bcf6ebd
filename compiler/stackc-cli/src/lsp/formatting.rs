//! `textDocument/formatting`: `stackc fmt`'s layout, as one edit replacing the whole text.

use lsp_types::TextEdit;
use stackc::syntax::format::format;

use crate::lsp::line_index::LineIndex;

/// The edits that lay `text` out as `stackc fmt` would: none when it already is, or when it is
/// not valid KDL (its diagnostics say why; a half-typed buffer is left as it is).
pub fn edits(text: &str) -> Vec<TextEdit> {
    match format(text) {
        Ok(formatted) if formatted != text => {
            vec![TextEdit { range: LineIndex::new(text).range(0, text.len()), new_text: formatted }]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_replaces_the_text_when_the_layout_differs() {
        let edits = edits("stack  \"a\"\nhost \"h\" address=\"1\" {\n  groups \"g\"\n}\n");
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].new_text, "stack \"a\"\nhost \"h\" address=\"1\" {\n    groups \"g\"\n}\n");
        assert_eq!(edits[0].range.start, lsp_types::Position::new(0, 0));
        assert_eq!(edits[0].range.end, lsp_types::Position::new(4, 0));
        assert!(super::edits("stack \"a\"\n").is_empty(), "formatted already");
        assert!(super::edits("stack \"a\" {\n").is_empty(), "not KDL");
    }
}
