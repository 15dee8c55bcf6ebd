//! Loading the root file and its includes, in order, with cycle detection.

use stackc_diag::{Diagnostic, Diagnostics, FileId, Sources, Span};
use stackc_model::Sha256Digest;
use stackc_syntax::ast;

/// Reads stack files. The driver implements it over the filesystem; tests over a map.
pub trait SourceLoader {
    /// Loads `path`, relative to the file named `from` (`None` for the root file).
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, LoadError>;

    /// Reads a binary file (a plugin component) at `path` relative to the file named
    /// `from`; returns its name (as for [`Loaded::name`]) and bytes. Loaders that serve
    /// stack text only keep the default, which reads nothing.
    fn load_bytes(&self, path: &str, from: &str) -> Result<(String, Vec<u8>), LoadError> {
        let _ = (path, from);
        Err(LoadError("this source reads stack files only".to_owned()))
    }

    /// Fetches the component published to an OCI registry as `reference` that a stack pins by
    /// `digest`, with its signature when the registry holds one. The loader decides where
    /// bytes come from (the CLI's reads its cache first and asks the registry only for what
    /// the cache lacks); the caller checks the digest. Loaders that serve stack text only keep
    /// the default, which fetches nothing.
    fn load_published(&self, reference: &str, digest: &Sha256Digest) -> Result<Published, LoadError> {
        let _ = (reference, digest);
        Err(LoadError("this source reads stack files only".to_owned()))
    }

    /// Reads the file or directory at `path` relative to the file named `from`, for a
    /// `(file)` value. It must lie inside the directory of the root stack file `root` once
    /// symlinks are followed (resolution has already refused absolute paths and `..`).
    /// Loaders that serve stack text only keep the default, which reads nothing.
    fn load_data(&self, path: &str, from: &str, root: &str) -> Result<Data, LoadError> {
        let _ = (path, from, root);
        Err(LoadError("this source reads stack files only".to_owned()))
    }
}

/// What a `(file)` names: a file's bytes, or every regular file under a directory by its path
/// relative to that directory (`/`-separated), sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    File(Vec<u8>),
    Dir(Vec<(String, Vec<u8>)>),
}

/// A component fetched from a registry, and its signature (armored SSH signature) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub bytes: Vec<u8>,
    pub signature: Option<Vec<u8>>,
}

/// A file the loader read.
pub struct Loaded {
    /// Identity for cycle detection (e.g. the canonical path).
    pub key: String,
    /// What diagnostics call the file: relative to where stackc runs, so reports and
    /// outputs never carry machine paths.
    pub name: String,
    pub text: String,
}

/// Why a file could not be read, in a few words ("no such file or directory").
#[derive(Debug, Clone)]
pub struct LoadError(pub String);

/// One parsed file, in load order.
pub(crate) struct File {
    pub(crate) id: FileId,
    pub(crate) document: ast::Document,
}

/// Loads the root and, depth first in source order, every file it includes. Returns `None`
/// when the root itself cannot be read or parsed.
pub(crate) fn load_all(
    root: &str,
    loader: &dyn SourceLoader,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<File>> {
    let loaded = match loader.load(root, None) {
        Ok(loaded) => loaded,
        Err(LoadError(why)) => {
            diagnostics.push(
                Diagnostic::error("stackc::load::unreadable", format!("cannot read `{root}`: {why}"))
                    .with_help("check the path; stack files end in `.kdl`"),
            );
            return None;
        }
    };
    let mut loading = Loading { loader, sources, diagnostics, files: Vec::new(), stack: Vec::new() };
    let root_ok = loading.visit(loaded);
    root_ok.then_some(loading.files)
}

struct Loading<'a> {
    loader: &'a dyn SourceLoader,
    sources: &'a mut Sources,
    diagnostics: &'a mut Diagnostics,
    files: Vec<File>,
    /// Keys of the files being loaded, root first: an include of one of them is a cycle.
    stack: Vec<(String, Option<Span>)>,
}

impl Loading<'_> {
    /// Parses one file and loads its includes. Returns false if it did not parse.
    fn visit(&mut self, loaded: Loaded) -> bool {
        let id = self.sources.add(loaded.name.clone(), loaded.text);
        let parsed = stackc_syntax::parse(id, &self.sources.get(id).text);
        self.diagnostics.extend(parsed.diagnostics);
        let Some(document) = parsed.document else { return false };

        self.stack.push((loaded.key, None));
        let includes: Vec<(String, Span)> = document
            .nodes()
            .iter()
            .filter(|n| n.name().value() == "include")
            .filter_map(|n| self.include_path(n))
            .collect();
        // The file's own nodes come before those of its includes; declarations are
        // order-independent, but keeping load order fixed keeps diagnostics stable.
        self.files.push(File { id, document });
        for (path, span) in includes {
            self.include(&path, span, &loaded.name);
        }
        self.stack.pop();
        true
    }

    fn include_path(&mut self, node: &ast::Node) -> Option<(String, Span)> {
        let span = node.span();
        match node.entries() {
            [entry] if entry.name().is_none() => match entry.value() {
                ast::Value::String(path) => Some((path.clone(), entry.span())),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error("stackc::load::include", "`include` takes a file path")
                            .at(span, "expected a string")
                            .with_help("write `include \"hosts.kdl\"`"),
                    );
                    None
                }
            },
            _ => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::load::include", "`include` takes exactly one file path")
                        .at(span, "here")
                        .with_help("write `include \"hosts.kdl\"`, one include per file"),
                );
                None
            }
        }
    }

    fn include(&mut self, path: &str, span: Span, from: &str) {
        let loaded = match self.loader.load(path, Some(from)) {
            Ok(loaded) => loaded,
            Err(LoadError(why)) => {
                self.diagnostics.push(
                    Diagnostic::error("stackc::load::unreadable", format!("cannot read `{path}`: {why}"))
                        .at(span, "included here")
                        .with_help("include paths are relative to the file that includes them"),
                );
                return;
            }
        };
        if let Some(top) = self.stack.last_mut() {
            top.1 = Some(span);
        }
        if let Some(pos) = self.stack.iter().position(|(key, _)| *key == loaded.key) {
            let mut diagnostic = Diagnostic::error(
                "stackc::load::include-cycle",
                format!("include cycle: `{}` includes itself", loaded.name),
            )
            .at(span, "this include closes the cycle")
            .with_help("remove one of the includes; a file can appear only once in an include chain");
            let chain = &self.stack[pos..self.stack.len() - 1];
            for via in chain.iter().filter_map(|(_, via)| *via) {
                diagnostic = diagnostic.with_secondary(via, "which includes this");
            }
            self.diagnostics.push(diagnostic);
            return;
        }
        self.visit(loaded);
    }
}
