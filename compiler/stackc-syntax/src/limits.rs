//! Limits on what the parsers are given, so that no input can crash or stall them.
//!
//! `kdl`'s parser recurses once per nested block or block comment (10,000 nested `{` overflow
//! the stack and abort the process) and reads a very long string slowly; a stack file is never
//! anywhere near these sizes. [`check`] looks at the text before either parser does, in one
//! pass that does not recurse, and refuses it with a diagnostic naming the limit.

use stackc_diag::{Diagnostic, FileId, Span};

/// The largest stack file, include, module or values file read (16 MiB). A generated stack of
/// 5,000 services is 1.3 MB. Loaders refuse larger files without reading past the limit.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// How deep children blocks and block comments may nest.
pub const MAX_DEPTH: usize = 64;

/// The longest string, quotes included (1 MiB): a page or a dashboard belongs in a file read
/// with `(file)`, not in the stack.
pub const MAX_STRING_BYTES: usize = 1 << 20;

/// The first limit `text` goes over, if any.
pub(crate) fn check(file: FileId, text: &str) -> Option<Diagnostic> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Some(
            Diagnostic::error(
                "stackc::limits::file-size",
                format!("the file is {} bytes, more than the limit of {MAX_FILE_BYTES}", text.len()),
            )
            .at(Span::new(file, 0, 0), "this file")
            .with_help("split it with `include`, or read large values from files with `(file)`"),
        );
    }
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'"', _) => {
                let end = string_end(bytes, i, 0);
                if end - i > MAX_STRING_BYTES {
                    return Some(too_long(file, i));
                }
                i = end;
            }
            (b'#', Some(b'"' | b'#')) => {
                let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(i + hashes) != Some(&b'"') {
                    i += hashes;
                    continue;
                }
                let end = string_end(bytes, i + hashes, hashes);
                if end - i > MAX_STRING_BYTES {
                    return Some(too_long(file, i));
                }
                i = end;
            }
            (b'/', Some(b'/')) => {
                i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n + 1);
            }
            (b'/', Some(b'*')) => {
                // Nested comments count toward the depth: `kdl` recurses into them too.
                let mut comments = 0usize;
                while i < bytes.len() {
                    match (bytes[i], bytes.get(i + 1)) {
                        (b'/', Some(b'*')) => {
                            comments += 1;
                            if depth + comments > MAX_DEPTH {
                                return Some(too_deep(file, i));
                            }
                            i += 2;
                        }
                        (b'*', Some(b'/')) => {
                            comments -= 1;
                            i += 2;
                            if comments == 0 {
                                break;
                            }
                        }
                        _ => i += 1,
                    }
                }
            }
            (b'{', _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(too_deep(file, i));
                }
                i += 1;
            }
            (b'}', _) => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Where the string opening at `start` (a `"` or `"""`) ends: after its closing quote(s) and
/// `hashes` `#`s, or the end of the text. Raw strings (`hashes` > 0) have no escapes.
fn string_end(bytes: &[u8], start: usize, hashes: usize) -> usize {
    let quotes = if bytes[start..].starts_with(b"\"\"\"") { 3 } else { 1 };
    let mut i = start + quotes;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if hashes == 0 => i += 2,
            b'"' if bytes[i..].starts_with(&b"\"\"\""[..quotes])
                && bytes[i + quotes..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes =>
            {
                return (i + quotes + hashes).min(bytes.len());
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

fn too_deep(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error("stackc::limits::depth", format!("blocks or comments nest more than {MAX_DEPTH} deep"))
        .at(Span::new(file, at, at + 1), "too deep here")
        .with_help("a stack nests a few levels; split deep structures into services or modules")
}

fn too_long(file: FileId, at: usize) -> Diagnostic {
    Diagnostic::error(
        "stackc::limits::string",
        format!("a string is longer than the limit of {MAX_STRING_BYTES} bytes"),
    )
    .at(Span::new(file, at, at + 1), "this string")
    .with_help("read large values from a file beside the stack with `(file)\"path\"`")
}

#[cfg(test)]
mod tests {
    use stackc_diag::Sources;

    use super::*;

    fn code(text: &str) -> Option<&'static str> {
        let file = Sources::new().add("t.kdl", "");
        check(file, text).map(|d| d.code)
    }

    #[test]
    fn ordinary_files_pass() {
        assert_eq!(code("a { b { c \"}}}{{{\" } } // {{{{\n/* { */ d #\"{\"# e r#x"), None);
        let nested = format!("{}{}", "a {\n".repeat(MAX_DEPTH), "}\n".repeat(MAX_DEPTH));
        assert_eq!(code(&nested), None);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let blocks = format!("{}{}", "a {".repeat(10_000), "}".repeat(10_000));
        assert_eq!(code(&blocks), Some("stackc::limits::depth"));
        let comments = format!("{}{}", "/*".repeat(10_000), "*/".repeat(10_000));
        assert_eq!(code(&comments), Some("stackc::limits::depth"));
        // Unbalanced: only opening braces.
        assert_eq!(code(&"{".repeat(MAX_DEPTH + 1)), Some("stackc::limits::depth"));
    }

    #[test]
    fn long_strings_are_refused() {
        let long = format!("a \"{}\"", "x".repeat(MAX_STRING_BYTES));
        assert_eq!(code(&long), Some("stackc::limits::string"));
        let raw = format!("a #\"{}\"#", "x".repeat(MAX_STRING_BYTES));
        assert_eq!(code(&raw), Some("stackc::limits::string"));
        let unterminated = format!("a \"{}", "x".repeat(MAX_STRING_BYTES + 10));
        assert_eq!(code(&unterminated), Some("stackc::limits::string"));
    }
}
