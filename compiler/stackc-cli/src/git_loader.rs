//! Reads stack files as they were at a git revision, from git's object database, never from
//! (or into) the work tree: `stackc diff --base REV stack.kdl` builds both sides this way.

use std::path::{Path, PathBuf};
use std::process::Command;

use stackc::{Data, Loaded, Published, SourceError, SourceLoader, limits};
use stackc_model::Sha256Digest;

use crate::loader::{name_of, normalize};

/// Loads files from the commit `rev` of the repository stackc runs in. Paths are named as
/// the user gave them (relative to the working directory), like [`crate::loader::FsLoader`].
pub struct GitLoader {
    /// The full commit id, so every file of one build comes from the same commit.
    commit: String,
    /// The revision as the user spelled it, for messages.
    rev: String,
    /// The repository's top level, to turn absolute paths into repository paths.
    toplevel: PathBuf,
}

impl GitLoader {
    /// Resolves `rev` to a commit; the error is a one-line reason.
    pub fn new(rev: &str) -> Result<GitLoader, String> {
        // Asked first: outside a repository, every revision would be "not a commit".
        let toplevel = git(&["rev-parse", "--show-toplevel"]).map_err(|_| {
            format!(
                "`--base {rev}` reads the stack from git, but the current directory is not in a git repository\n\n\
                 hint: run it inside the repository, or compare two bundles or stack files: `stackc diff OLD NEW`"
            )
        })?;
        let commit = git(&["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])
            .map_err(|e| format!("`{rev}` is not a commit of this git repository{}", reason_suffix(&e)))?;
        Ok(GitLoader {
            commit: String::from_utf8_lossy(&commit).trim().to_owned(),
            rev: rev.to_owned(),
            toplevel: PathBuf::from(String::from_utf8_lossy(&toplevel).trim()),
        })
    }

    /// The object name of `name` in the commit: `<commit>:./rel` for paths relative to the
    /// working directory, `<commit>:path` for absolute paths inside the repository.
    fn object(&self, name: &Path) -> Result<String, SourceError> {
        if name.is_absolute() {
            let toplevel = std::fs::canonicalize(&self.toplevel).unwrap_or_else(|_| self.toplevel.clone());
            let inside = name.strip_prefix(&toplevel).or_else(|_| name.strip_prefix(&self.toplevel));
            let rel = inside.map_err(|_| SourceError("outside the git repository".to_owned()))?;
            Ok(format!("{}:{}", self.commit, rel.to_string_lossy()))
        } else {
            Ok(format!("{}:./{}", self.commit, name.to_string_lossy()))
        }
    }
}

impl GitLoader {
    fn missing(&self) -> SourceError {
        SourceError(format!("no such file in revision `{}`", self.rev))
    }

    /// A blob's bytes; its size is asked first, so one over the limit is refused unread.
    fn blob(&self, object: &str) -> Result<Vec<u8>, SourceError> {
        let size = git(&["cat-file", "-s", object]).map_err(|_| self.missing())?;
        let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(u64::MAX);
        if size > limits::MAX_FILE_BYTES {
            return Err(SourceError(format!(
                "{size} bytes in revision `{}`, over the limit of {} bytes",
                self.rev,
                limits::MAX_FILE_BYTES
            )));
        }
        git(&["cat-file", "blob", object]).map_err(|_| self.missing())
    }

    /// True when `path` (relative to the working directory, or absolute) is a file in the commit.
    pub fn exists(&self, path: &Path) -> bool {
        self.object(&normalize(path)).is_ok_and(|object| git(&["cat-file", "-e", &object]).is_ok())
    }
}

impl SourceLoader for GitLoader {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, SourceError> {
        let name = name_of(path, from);
        let object = self.object(&name)?;
        let bytes = self.blob(&object)?;
        let text = String::from_utf8(bytes).map_err(|_| SourceError("not valid UTF-8".to_owned()))?;
        Ok(Loaded { key: object, name: name.to_string_lossy().into_owned(), text })
    }

    /// Components are build products and usually not committed; when one is, it is read
    /// from the revision like any other file.
    fn load_bytes(&self, path: &str, from: &str) -> Result<(String, Vec<u8>), SourceError> {
        let name = name_of(path, Some(from));
        let bytes = git(&["cat-file", "blob", &self.object(&name)?]).map_err(|_| self.missing())?;
        Ok((name.to_string_lossy().into_owned(), bytes))
    }

    /// A published component is the same whichever revision pins it: from stackc's cache, or
    /// its registry.
    fn load_published(&self, reference: &str, digest: &Sha256Digest) -> Result<Published, SourceError> {
        crate::loader::FsLoader::ONLINE.load_published(reference, digest)
    }

    /// A file or a tree of the revision. Resolution has refused absolute paths and `..`; a
    /// symlink stored in the tree is refused rather than followed.
    fn load_data(&self, path: &str, from: &str, _root: &str) -> Result<Data, SourceError> {
        let object = self.object(&name_of(path, Some(from)))?;
        let kind = git(&["cat-file", "-t", &object]).map_err(|_| self.missing())?;
        if String::from_utf8_lossy(&kind).trim() != "tree" {
            return self.blob(&object).map(Data::File);
        }
        let listing = git(&["ls-tree", "-r", "-z", &object]).map_err(|_| self.missing())?;
        let mut files = Vec::new();
        let mut budget = limits::MAX_FILE_BYTES;
        for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, file)) = record.split_once('\t') else { continue };
            let fields: Vec<&str> = meta.split(' ').collect();
            match fields.as_slice() {
                ["120000", ..] => return Err(SourceError(format!("`{file}` is a symlink"))),
                [_, "blob", id] => {
                    let bytes = self.blob(id)?;
                    budget = budget
                        .checked_sub(bytes.len() as u64)
                        .ok_or_else(|| SourceError(format!("more than {} bytes in all", limits::MAX_FILE_BYTES)))?;
                    files.push((file.to_owned(), bytes));
                }
                // Submodules are not part of the revision's files.
                _ => {}
            }
        }
        files.sort();
        Ok(Data::Dir(files))
    }
}

/// Runs git and returns its stdout, or its first line of stderr.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git").args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("").trim().to_owned())
    }
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() { String::new() } else { format!(" ({reason})") }
}
