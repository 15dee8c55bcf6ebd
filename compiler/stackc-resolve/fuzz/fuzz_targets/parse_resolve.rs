//! Any bytes as the stack file, the files it includes, the modules it instantiates and a
//! values file: resolution returns a stack or diagnostics, and never panics.
//!
//! The input is split at NUL bytes: the first part is `stack.kdl`, the second is served for
//! every other stack file named (so includes and modules recurse into it), the third is the
//! values file. A seed corpus: the repository's stacks (`fuzz/corpus/parse_resolve`, made by
//! `cargo fuzz` as it runs; start it with `cp ../../../stacks/*.kdl corpus/parse_resolve/`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackc_resolve::{Data, Input, LoadError, Loaded, SourceLoader, resolve};

struct Parts<'a> {
    root: &'a str,
    other: &'a str,
    values: &'a str,
}

impl SourceLoader for Parts<'_> {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, LoadError> {
        let text = match (path, from) {
            ("stack.kdl", None) => self.root,
            ("values.kdl", None) => self.values,
            _ => self.other,
        };
        Ok(Loaded { key: path.to_owned(), name: path.to_owned(), text: text.to_owned() })
    }

    fn load_data(&self, path: &str, _from: &str, _root: &str) -> Result<Data, LoadError> {
        if path.ends_with('/') {
            Ok(Data::Dir(vec![("a.txt".to_owned(), self.other.as_bytes().to_vec())]))
        } else {
            Ok(Data::File(self.other.as_bytes().to_vec()))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let loader = Parts {
        root: parts.next().unwrap_or_default(),
        other: parts.next().unwrap_or_default(),
        values: parts.next().unwrap_or_default(),
    };
    let overrides = ["n=3".to_owned(), "flag=true".to_owned()];
    let resolved = resolve(
        &Input { root: "stack.kdl", values: &["values.kdl".to_owned()], overrides: &overrides, plugins: &["nginx"] },
        &loader,
    );
    // Every diagnostic's span lies inside the text it points into.
    for diagnostic in resolved.diagnostics.iter() {
        for span in diagnostic.span.iter().chain(diagnostic.secondary.iter().map(|l| &l.span)) {
            let source = resolved.sources.get(span.file);
            assert!(span.start <= span.end && span.end as usize <= source.text.len());
        }
    }
});
