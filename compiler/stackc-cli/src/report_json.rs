//! Diagnostics as JSON Lines (`--format json`): one object per diagnostic, for CI annotations
//! and editors. Positions are those the text report shows: 1-based lines and columns counted
//! in characters, plus the byte span in the file.

use serde_json::{Value, json};
use stackc::diag::{Diagnostic, Severity, Sources, Span};

/// One line per diagnostic, in the order given.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| object(sources, d).to_string() + "\n").collect()
}

fn object(sources: &Sources, d: &Diagnostic) -> Value {
    let mut object = json!({
        "code": d.code,
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": d.message,
        "help": d.help,
    });
    let at = d.span.map_or_else(|| json!({ "file": null }), |span| position(sources, span, &d.label));
    merge(&mut object, at);
    object["secondary"] =
        d.secondary.iter().map(|label| position(sources, label.span, &label.message)).collect::<Vec<_>>().into();
    object
}

/// Where `span` is, and what its label says.
fn position(sources: &Sources, span: Span, label: &str) -> Value {
    let (line, column) = sources.line_col(span);
    let end = Span { start: span.end, ..span };
    let (end_line, end_column) = sources.line_col(end);
    json!({
        "file": sources.get(span.file).name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "span": { "start": span.start, "end": span.end },
        "label": label,
    })
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        into.extend(from);
    }
}
