//! The documents the editor has open, and a loader that reads them before the disk, so that
//! an unsaved buffer is checked as it is, also when another file includes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::Uri;
use stackc::{Data, Loaded, Published, SourceError, SourceLoader};
use stackc_model::Sha256Digest;

use crate::loader::{FsLoader, name_of, normalize};
use crate::lsp::uri;

/// An open document: the text the editor holds, which may differ from the file's.
pub struct Document {
    /// As the client spells it, so that what is published for it reaches the same buffer.
    pub uri: Uri,
    pub text: String,
}

/// Open documents by [`key`] of their path.
pub struct Documents {
    open: BTreeMap<PathBuf, Document>,
    /// Where the server runs: names of files under it are relative, as `stackc check` run
    /// there would show them.
    cwd: PathBuf,
}

/// What identifies a file: its canonical path, or for one that does not exist (yet), its
/// absolute path with `.` and `..` removed.
pub fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

impl Documents {
    pub fn new(cwd: PathBuf) -> Self {
        Documents { open: BTreeMap::new(), cwd }
    }

    /// Opens or replaces a document; its key, `None` for a URI that names no local file.
    pub fn set(&mut self, uri: Uri, text: String) -> Option<PathBuf> {
        let path = key(&uri::to_path(&uri)?);
        self.open.insert(path.clone(), Document { uri, text });
        Some(path)
    }

    pub fn close(&mut self, uri: &Uri) -> Option<PathBuf> {
        let path = key(&uri::to_path(uri)?);
        self.open.remove(&path).map(|_| path)
    }

    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.open.get(path)
    }

    /// The key of the document `uri` names, if it is open.
    pub fn path_of(&self, uri: &Uri) -> Option<PathBuf> {
        let path = key(&uri::to_path(uri)?);
        self.open.contains_key(&path).then_some(path)
    }

    pub fn is_open(&self, path: &Path) -> bool {
        self.open.contains_key(path)
    }

    /// The text of a file: the editor's if it is open, else the disk's.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.open.get(path) {
            Some(document) => Some(document.text.clone()),
            None => FsLoader::OFFLINE.load(&path.to_string_lossy(), None).ok().map(|loaded| loaded.text),
        }
    }

    /// The URI to publish for `path`: the client's for an open document.
    pub fn uri(&self, path: &Path) -> Option<Uri> {
        match self.open.get(path) {
            Some(document) => Some(document.uri.clone()),
            None => uri::from_path(path),
        }
    }

    /// The name the compiler is given for `path`: relative to where the server runs when the
    /// file is under it.
    pub fn name(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd).unwrap_or(path).to_string_lossy().into_owned()
    }

    /// The key of the file a compiler's source name stands for.
    pub fn path_of_name(&self, name: &str) -> PathBuf {
        key(&self.cwd.join(name))
    }
}

/// Open documents first, then the disk.
pub struct Overlay<'a>(pub &'a Documents);

impl SourceLoader for Overlay<'_> {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, SourceError> {
        let name = name_of(path, from);
        let key = key(&self.0.cwd.join(&name));
        match self.0.open.get(&key) {
            Some(document) => Ok(Loaded {
                key: key.to_string_lossy().into_owned(),
                name: name.to_string_lossy().into_owned(),
                text: document.text.clone(),
            }),
            None => FsLoader::OFFLINE.load(path, from),
        }
    }

    fn load_bytes(&self, path: &str, from: &str) -> Result<(String, Vec<u8>), SourceError> {
        FsLoader::OFFLINE.load_bytes(path, from)
    }

    fn load_data(&self, path: &str, from: &str, root: &str) -> Result<Data, SourceError> {
        FsLoader::OFFLINE.load_data(path, from, root)
    }

    /// From stackc's cache only: an editor never waits on a registry.
    fn load_published(&self, reference: &str, digest: &Sha256Digest) -> Result<Published, SourceError> {
        FsLoader::OFFLINE.load_published(reference, digest)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn open_documents_shadow_the_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cwd = key(dir.path());
        std::fs::write(cwd.join("stack.kdl"), "on disk").expect("write");
        std::fs::write(cwd.join("hosts.kdl"), "hosts on disk").expect("write");
        let mut documents = Documents::new(cwd.clone());
        let stack = uri::from_path(&cwd.join("stack.kdl")).expect("uri");
        documents.set(stack.clone(), "in the editor".to_owned());

        // The server runs in `cwd`, where relative names are read; the test does not, so it
        // names files absolutely.
        let root = cwd.join("stack.kdl").to_string_lossy().into_owned();
        let loaded = Overlay(&documents).load(&root, None).expect("loads");
        assert_eq!((loaded.name.as_str(), loaded.text.as_str()), (root.as_str(), "in the editor"));
        let included = Overlay(&documents).load("./hosts.kdl", Some(&root)).expect("loads");
        assert_eq!(included.text, "hosts on disk");
        assert_eq!(documents.name(&cwd.join("stack.kdl")), "stack.kdl");
        assert_eq!(documents.path_of_name("stack.kdl"), cwd.join("stack.kdl"));

        documents.close(&stack);
        assert_eq!(Overlay(&documents).load(&root, None).expect("loads").text, "on disk");
        let elsewhere = Uri::from_str("untitled:Untitled-1").expect("uri");
        assert_eq!(documents.set(elsewhere, String::new()), None);
    }
}
