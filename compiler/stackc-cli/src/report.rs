//! Diagnostics rendered with miette, code frames and all.

use std::fmt;
use std::io::IsTerminal;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use stackc::diag::{Diagnostic, Severity, Sources, Span};

/// What the count of errors adds: only a command that writes says that it wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `build`: a stack with errors leaves the previous bundle alone, which is worth saying.
    NothingWritten,
    /// Commands that never write (`check`, `diff`, `render`, `graph`).
    Count,
}

/// Renders diagnostics for stderr. Colour only on a terminal and when `NO_COLOR` is unset.
#[allow(clippy::disallowed_methods, reason = "the CLI is where the environment is read; NO_COLOR is its one variable")]
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], ending: Ending) -> String {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    render_with(sources, diagnostics, colour, ending)
}

pub fn render_with(sources: &Sources, diagnostics: &[Diagnostic], colour: bool, ending: Ending) -> String {
    let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(sources, diagnostic);
        handler.render_report(&mut out, &report).expect("writing to a String cannot fail");
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if errors > 0 {
        let written = if ending == Ending::NothingWritten { "; nothing was written" } else { "" };
        out.push_str(&format!("error: {} found{written}\n", crate::wording::count(errors, "error")));
    }
    out
}

/// One diagnostic in miette's terms. Secondary labels in other files become related
/// reports, since a miette report shows one source.
#[derive(Debug)]
struct Report {
    code: &'static str,
    message: String,
    severity: miette::Severity,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Report>,
}

impl Report {
    fn new(sources: &Sources, d: &Diagnostic) -> Self {
        let file = d.span.map(|s| s.file);
        let mut labels = Vec::new();
        if let Some(span) = d.span {
            labels.push(LabeledSpan::new_primary_with_span(Some(d.label.clone()), source_span(span)));
        }
        let mut related = Vec::new();
        for label in &d.secondary {
            if Some(label.span.file) == file {
                labels.push(LabeledSpan::new_with_span(Some(label.message.clone()), source_span(label.span)));
            } else {
                related.push(Report {
                    code: "",
                    message: label.message.clone(),
                    severity: miette::Severity::Advice,
                    source: Some(named(sources, label.span)),
                    labels: vec![LabeledSpan::new_with_span(None, source_span(label.span))],
                    help: None,
                    related: Vec::new(),
                });
            }
        }
        Report {
            code: d.code,
            message: d.message.clone(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source: d.span.map(|s| named(sources, s)),
            labels,
            help: d.help.clone(),
            related,
        }
    }
}

fn named(sources: &Sources, span: Span) -> NamedSource<String> {
    let file = sources.get(span.file);
    NamedSource::new(&file.name, file.text.clone()).with_language("kdl")
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>)
    }
}
