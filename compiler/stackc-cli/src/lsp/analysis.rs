//! One stack file checked as `stackc check` checks it, from the editor's buffers, and what the
//! check leaves for hover, completion and definition.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lsp_types::Location;
use stackc::diag::{Diagnostic, Sources, Span};
use stackc::{Insight, Plugins};
use stackc_model::Stack;

use crate::lsp::documents::{Documents, Overlay};
use crate::lsp::line_index::LineIndex;
use crate::lsp::memory_cache::MemoryCache;

/// What is known of one root stack file.
#[derive(Default)]
pub struct Analysis {
    /// The keys of the files its last check read.
    pub files: BTreeSet<PathBuf>,
    /// The last stack that resolved. A check whose text does not (a syntax error halfway
    /// through typing) leaves the previous one, so that names stay known while typing.
    pub model: Option<Model>,
    cache: MemoryCache,
}

/// A resolved stack with the sources its spans point into.
pub struct Model {
    pub stack: Stack,
    pub insight: Insight,
    pub sources: Sources,
    /// The key of each source file, by file id.
    pub paths: Vec<PathBuf>,
}

/// The outcome of one check.
pub struct Checked {
    pub sources: Sources,
    /// The key of each source file, by file id.
    pub paths: Vec<PathBuf>,
    /// As `stackc check` reports them, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Checks the stack file `root` (a key) with `stackc check`'s driver: the same diagnostics,
    /// with the open documents' text for the files they are.
    pub fn check(&mut self, root: &Path, documents: &Documents, plugins: &Plugins) -> Checked {
        let name = documents.name(root);
        let loader = Overlay(documents);
        let options = stackc::Options {
            root: &name,
            values: &[],
            overrides: &[],
            render_cache: Some(&self.cache),
            progress: None,
        };
        let compilation = stackc::compile(&options, &loader, plugins);
        let diagnostics = crate::fragment::explain(compilation.diagnostics.into_sorted(), &compilation.sources);
        let paths: Vec<PathBuf> = compilation.sources.iter().map(|(_, f)| documents.path_of_name(&f.name)).collect();
        self.files = paths.iter().cloned().collect();
        if let Some(stack) = compilation.stack {
            let insight = stackc::insight(&stack, &compilation.sources, &loader, plugins, &self.cache);
            self.model = Some(Model { stack, insight, sources: compilation.sources.clone(), paths: paths.clone() });
        }
        self.cache.sweep();
        Checked { sources: compilation.sources, paths, diagnostics }
    }
}

impl Model {
    /// Where `span` is, for the client.
    pub fn location(&self, span: Span, documents: &Documents) -> Option<Location> {
        let path = self.paths.get(span.file.index())?;
        let index = LineIndex::new(&self.sources.get(span.file).text);
        Some(Location::new(documents.uri(path)?, index.range(span.start as usize, span.end as usize)))
    }
}
