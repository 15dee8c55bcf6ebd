//! `(file)"path"`: a file or a directory beside the stack, read into a config value. A file
//! becomes its text; a directory, a map from each file's path under it to its text (what
//! nginx's `files` and the like take).
//!
//! The path is relative to the file that names it and must stay inside the directory of the
//! root stack file: no absolute path, no `..`, and (checked by the loader, which can see the
//! filesystem) no symlink leading out. The bytes read are part of the config, so of the render
//! inputs and the digests; `stackc diff --base` reads them from the revision like the stack.

use stackc_diag::{Diagnostic, Diagnostics, Sources, Span};
use stackc_model::{Entry, Map, Value, ValueKind};

use crate::load::{Data, LoadError, SourceLoader};

/// Reads `(file)` values for config lowering.
pub(crate) struct FileReader<'a> {
    pub(crate) loader: &'a dyn SourceLoader,
    pub(crate) sources: &'a Sources,
    /// The root stack file's name: its directory is the one files must stay in.
    pub(crate) root: &'a str,
}

impl FileReader<'_> {
    pub(crate) fn read(&self, path: &str, span: Span, diagnostics: &mut Diagnostics) -> Option<Value> {
        if let Some(why) = outside(path) {
            diagnostics.push(
                Diagnostic::error("stackc::file::outside", format!("`{path}` is outside the stack's directory"))
                    .at(span, why)
                    .with_help(
                        "files read with `(file)` live in the stack's directory or below it; copy the file there",
                    ),
            );
            return None;
        }
        let from = &self.sources.get(span.file).name;
        let data = match self.loader.load_data(path, from, self.root) {
            Ok(data) => data,
            Err(LoadError(why)) => {
                diagnostics.push(
                    Diagnostic::error("stackc::file::unreadable", format!("cannot read `{path}`: {why}"))
                        .at(span, "read here")
                        .with_help("`(file)` paths are relative to the file that names them"),
                );
                return None;
            }
        };
        let text = |name: &str, bytes: Vec<u8>, diagnostics: &mut Diagnostics| {
            String::from_utf8(bytes).map_err(|_| {
                diagnostics.push(
                    Diagnostic::error("stackc::file::binary", format!("`{name}` is not UTF-8 text"))
                        .at(span, "read here")
                        .with_help("config values are text; ship binary files another way"),
                );
            })
        };
        let kind = match data {
            Data::File(bytes) => ValueKind::String(text(path, bytes, diagnostics).ok()?),
            Data::Dir(files) => {
                let mut map = Map::default();
                for (name, bytes) in files {
                    let contents = text(&format!("{path}/{name}"), bytes, diagnostics).ok()?;
                    let value = Value::new(ValueKind::String(contents), span);
                    map.entries.insert(name, Entry { key_span: span, value });
                }
                ValueKind::Map(map)
            }
        };
        Some(Value::new(kind, span))
    }
}

/// Why `path` cannot name something inside the stack's directory, if it cannot.
fn outside(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("an empty path")
    } else if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        Some("an absolute path")
    } else if path.split(['/', '\\']).any(|part| part == "..") {
        Some("`..` leads out of the directory")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::outside;

    #[test]
    fn paths_that_leave_the_directory() {
        for ok in ["a.html", "site/index.html", "./x", "a..b/c"] {
            assert_eq!(outside(ok), None, "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../b", "a/..", "\\\\host\\x", "C:/x"] {
            assert!(outside(bad).is_some(), "{bad}");
        }
    }
}
