//! Reads stack files from disk for the compiler. The only place that reads sources.

use std::path::{Component, Path, PathBuf};

use stackc::{Data, Loaded, Published, SourceError, SourceLoader, limits};
use stackc_model::Sha256Digest;

use crate::published::Network;

/// Loads files relative to the including file. Names shown to users are the paths as
/// given, joined lexically, so diagnostics never carry absolute machine paths. Published
/// components come from stackc's cache or, when `network` allows, their registry.
pub struct FsLoader {
    pub network: Network,
}

impl FsLoader {
    pub const ONLINE: FsLoader = FsLoader { network: Network::Allowed };
    pub const OFFLINE: FsLoader = FsLoader { network: Network::Forbidden };
}

impl SourceLoader for FsLoader {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, SourceError> {
        let name = name_of(path, from);
        let text = read_source(&name)?;
        let key = std::fs::canonicalize(&name).unwrap_or_else(|_| name.clone()).to_string_lossy().into_owned();
        Ok(Loaded { key, name: name.to_string_lossy().into_owned(), text })
    }

    fn load_bytes(&self, path: &str, from: &str) -> Result<(String, Vec<u8>), SourceError> {
        let name = name_of(path, Some(from));
        let bytes = std::fs::read(&name).map_err(|e| SourceError(io_reason(&e)))?;
        Ok((name.to_string_lossy().into_owned(), bytes))
    }

    fn load_published(&self, reference: &str, digest: &Sha256Digest) -> Result<Published, SourceError> {
        crate::published::fetch(reference, digest, self.network)
    }

    fn load_data(&self, path: &str, from: &str, root: &str) -> Result<Data, SourceError> {
        let io = |e: std::io::Error| SourceError(io_reason(&e));
        let stack_dir = name_of(".", Some(root));
        let stack_dir =
            std::fs::canonicalize(if stack_dir.as_os_str().is_empty() { Path::new(".") } else { &stack_dir })
                .map_err(io)?;
        let real = std::fs::canonicalize(name_of(path, Some(from))).map_err(io)?;
        if !real.starts_with(&stack_dir) {
            return Err(SourceError("a symlink leads outside the stack's directory".to_owned()));
        }
        if real.is_dir() {
            let mut files = Vec::new();
            let mut budget = limits::MAX_FILE_BYTES;
            read_dir_into(&real, "", &stack_dir, &mut budget, &mut files)?;
            return Ok(Data::Dir(files));
        }
        Ok(Data::File(read_limited(&real)?))
    }
}

/// Every regular file under `dir` (`prefix` names it relative to the directory `(file)`
/// named), sorted by path, symlinks followed only inside `stack_dir`, at most `budget` bytes
/// in all.
fn read_dir_into(
    dir: &Path,
    prefix: &str,
    stack_dir: &Path,
    budget: &mut u64,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), SourceError> {
    let io = |e: std::io::Error| SourceError(io_reason(&e));
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for (name, path) in entries {
        let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let real = std::fs::canonicalize(&path).map_err(io)?;
        if !real.starts_with(stack_dir) {
            return Err(SourceError(format!("`{relative}` is a symlink leading outside the stack's directory")));
        }
        if real.is_dir() {
            read_dir_into(&real, &relative, stack_dir, budget, files)?;
        } else if real.is_file() {
            let bytes = read_limited(&real)?;
            *budget = budget
                .checked_sub(bytes.len() as u64)
                .ok_or_else(|| SourceError(format!("more than {} bytes in all", limits::MAX_FILE_BYTES)))?;
            files.push((relative, bytes));
        }
    }
    Ok(())
}

/// A regular file's bytes, at most [`limits::MAX_FILE_BYTES`]. What is not a regular file (a
/// directory, `/dev/zero`, a FIFO) is refused before it is opened, and a file is never read
/// past the limit.
fn read_limited(path: &Path) -> Result<Vec<u8>, SourceError> {
    use std::io::Read;
    let io = |e: std::io::Error| SourceError(io_reason(&e));
    let too_large =
        |size: u64| SourceError(format!("{size} bytes or more, over the limit of {} bytes", limits::MAX_FILE_BYTES));
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(SourceError("not a regular file (a directory, device or pipe)".to_owned()));
    }
    if metadata.len() > limits::MAX_FILE_BYTES {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).map_err(io)?.take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        // It grew since its size was read.
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a stack file (or include, module, values file): a regular file, at most
/// [`limits::MAX_FILE_BYTES`], UTF-8. What is not a regular file (a directory, `/dev/zero`, a
/// FIFO) is refused before it is opened, and a file is never read past the limit.
fn read_source(name: &Path) -> Result<String, SourceError> {
    String::from_utf8(read_limited(name)?).map_err(|_| SourceError("not UTF-8 text".to_owned()))
}

/// The name of `path` written in the file named `from` (`None`: given on the command line).
pub fn name_of(path: &str, from: Option<&str>) -> PathBuf {
    match from {
        Some(from) => normalize(&Path::new(from).parent().unwrap_or(Path::new("")).join(path)),
        None => normalize(Path::new(path)),
    }
}

/// `a/./b/../c` → `a/c`, without touching the filesystem.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// "no such file or directory" rather than "No such file or directory (os error 2)".
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("stacks/./a/../b.kdl")), Path::new("stacks/b.kdl"));
        assert_eq!(normalize(Path::new("../x.kdl")), Path::new("../x.kdl"));
    }
}
