//! Plain words for syntax errors that come from habits of KDL 1, which many KDL examples
//! on the web still use: `kdl` reports them accurately but in its grammar's terms
//! ("expected identifier string").
//!
//! KDL 2 writes its keywords with a `#` (`#true`, `#false`, `#null`, `#inf`, `#-inf`,
//! `#nan`); a bare `true` is neither a keyword nor, being reserved, a bare string.

use stackc_diag::{Diagnostic, Span};

/// The keywords KDL 1 wrote bare.
const KEYWORDS: [&str; 6] = ["true", "false", "null", "inf", "-inf", "nan"];

/// `diagnostic`, one of `kdl`'s errors about `text`, reworded when its span is a habit
/// this module knows; unchanged otherwise.
pub fn explain(text: &str, diagnostic: Diagnostic) -> Diagnostic {
    let Some(span) = diagnostic.span else { return diagnostic };
    let Some(keyword) = text.get(span.start as usize..span.end as usize).filter(|t| KEYWORDS.contains(t)) else {
        return diagnostic;
    };
    let written = format!("{}#{keyword}", property_before(text, span).map_or(String::new(), |p| format!("{p}=")));
    let help = if keyword == "null" {
        format!(
            "stack files are KDL 2, where the keywords take a `#`: write `{written}`; to leave a value unset, \
             leave the property or node out"
        )
    } else {
        format!("stack files are KDL 2, where the keywords take a `#`: write `{written}`")
    };
    Diagnostic {
        message: format!("bare `{keyword}` is not a value in KDL 2"),
        label: format!("write `#{keyword}`"),
        help: Some(help),
        ..diagnostic
    }
}

/// The property name right before `span` (`default` in `default=true`), if any.
fn property_before(text: &str, span: Span) -> Option<&str> {
    let before = text[..span.start as usize].strip_suffix('=')?;
    let start = before.rfind(|c: char| c.is_whitespace() || "{};()\"".contains(c)).map_or(0, |i| i + 1);
    Some(&before[start..]).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use stackc_diag::Sources;

    fn diagnostics(text: &str) -> Vec<Diagnostic> {
        let mut sources = Sources::new();
        let id = sources.add("stack.kdl", text);
        parse(id, text).diagnostics
    }

    #[test]
    fn a_bare_boolean_property_gets_the_kdl_2_spelling() {
        let found = diagnostics("stack \"a\"\nparam \"tls\" type=\"bool\" default=true\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].message, "bare `true` is not a value in KDL 2");
        assert_eq!(found[0].label, "write `#true`");
        assert_eq!(
            found[0].help.as_deref(),
            Some("stack files are KDL 2, where the keywords take a `#`: write `default=#true`")
        );
    }

    #[test]
    fn bare_null_and_arguments() {
        let found = diagnostics("stack \"a\"\nparam \"x\" type=\"string\" default=null\n");
        assert_eq!(found[0].message, "bare `null` is not a value in KDL 2");
        assert!(found[0].help.as_deref().is_some_and(|h| h.contains("write `default=#null`")), "{found:?}");
        let found = diagnostics("service \"s\" {\n    http2 false\n}\n");
        assert_eq!(found[0].label, "write `#false`");
        assert!(found[0].help.as_deref().is_some_and(|h| h.ends_with("write `#false`")), "{found:?}");
    }

    #[test]
    fn other_errors_are_left_as_kdl_reports_them() {
        let found = diagnostics("stack \"a\nhost \"h\"\n");
        assert!(!found.is_empty());
        assert!(found.iter().all(|d| !d.message.contains("KDL 2")), "{found:?}");
        // Quoted, the word is a string, and `#true` is the keyword: no error at all.
        assert!(diagnostics("param \"a\" default=\"true\"\nparam \"b\" default=#true\n").is_empty());
    }
}
