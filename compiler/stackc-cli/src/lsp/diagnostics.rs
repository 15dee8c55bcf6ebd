//! The compiler's diagnostics as the protocol's, and which file shows which.
//!
//! A check of one stack file reports about every file it read, so a diagnostic goes to the file
//! its span is in, open or not. A file read by two stacks shows what both report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range};
use stackc::diag::{Diagnostic, Severity, Span};

use crate::lsp::analysis::Checked;
use crate::lsp::documents::Documents;
use crate::lsp::line_index::LineIndex;

/// A check's diagnostics by file key. The help line follows the message, on a line of its
/// own; the label and secondary labels are related information.
pub fn convert(checked: &Checked, root: &Path, documents: &Documents) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let place = |span: Span| {
        let path = &checked.paths[span.file.index()];
        let index = LineIndex::new(&checked.sources.get(span.file).text);
        (path, index.range(span.start as usize, span.end as usize))
    };
    let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for diagnostic in &checked.diagnostics {
        let (path, range) = match diagnostic.span {
            Some(span) => place(span),
            // Only a root that cannot be read has no span: shown at its start.
            None => (&root.to_path_buf(), Range::default()),
        };
        let mut related = Vec::new();
        let mut relate = |path: &Path, range: Range, message: &str| {
            if let Some(uri) = documents.uri(path)
                && !message.is_empty()
            {
                related.push(DiagnosticRelatedInformation {
                    location: Location::new(uri, range),
                    message: message.to_owned(),
                });
            }
        };
        relate(path, range, &diagnostic.label);
        for label in &diagnostic.secondary {
            let (path, range) = place(label.span);
            relate(path, range, &label.message);
        }
        by_file.entry(path.clone()).or_default().push(lsp_types::Diagnostic {
            range,
            severity: Some(severity(diagnostic)),
            code: Some(NumberOrString::String(diagnostic.code.to_owned())),
            source: Some("stackc".to_owned()),
            message: message(diagnostic),
            related_information: (!related.is_empty()).then_some(related),
            ..lsp_types::Diagnostic::default()
        });
    }
    by_file
}

fn severity(diagnostic: &Diagnostic) -> DiagnosticSeverity {
    match diagnostic.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

fn message(diagnostic: &Diagnostic) -> String {
    match &diagnostic.help {
        Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    }
}

/// What each root stack file last reported, by file.
#[derive(Default)]
pub struct Published {
    by_file: BTreeMap<PathBuf, BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>>,
}

impl Published {
    /// Replaces what `root` reports; returns the files whose diagnostics changed.
    pub fn replace(
        &mut self,
        root: &Path,
        mut reported: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    ) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        for (file, roots) in &mut self.by_file {
            let now = reported.remove(file).unwrap_or_default();
            let before = roots.get(root).map_or(&[][..], Vec::as_slice);
            if before != now.as_slice() {
                changed.push(file.clone());
            }
            if now.is_empty() {
                roots.remove(root);
            } else {
                roots.insert(root.to_path_buf(), now);
            }
        }
        for (file, now) in reported {
            changed.push(file.clone());
            self.by_file.entry(file).or_default().insert(root.to_path_buf(), now);
        }
        self.by_file.retain(|_, roots| !roots.is_empty());
        changed.sort();
        changed
    }

    /// Everything reported about `file`, each diagnostic once.
    pub fn of(&self, file: &Path) -> Vec<lsp_types::Diagnostic> {
        let mut all: Vec<lsp_types::Diagnostic> = Vec::new();
        for diagnostic in self.by_file.get(file).into_iter().flat_map(BTreeMap::values).flatten() {
            if !all.contains(diagnostic) {
                all.push(diagnostic.clone());
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(message: &str) -> lsp_types::Diagnostic {
        lsp_types::Diagnostic { message: message.to_owned(), ..lsp_types::Diagnostic::default() }
    }

    #[test]
    fn files_show_what_every_root_reports_until_it_stops() {
        let (a, b, shared) = (Path::new("/a.kdl"), Path::new("/b.kdl"), PathBuf::from("/hosts.kdl"));
        let mut published = Published::default();
        let changed = published.replace(a, BTreeMap::from([(shared.clone(), vec![diagnostic("x")])]));
        assert_eq!(changed, vec![shared.clone()]);
        let changed = published.replace(b, BTreeMap::from([(shared.clone(), vec![diagnostic("x")])]));
        assert_eq!(changed, vec![shared.clone()]);
        assert_eq!(published.of(&shared).len(), 1, "one diagnostic reported twice shows once");
        // The same again: nothing to publish.
        assert!(published.replace(b, BTreeMap::from([(shared.clone(), vec![diagnostic("x")])])).is_empty());
        assert_eq!(published.replace(a, BTreeMap::new()), vec![shared.clone()]);
        assert_eq!(published.of(&shared).len(), 1, "b still reports it");
        assert_eq!(published.replace(b, BTreeMap::new()), vec![shared.clone()]);
        assert!(published.of(&shared).is_empty());
    }
}
