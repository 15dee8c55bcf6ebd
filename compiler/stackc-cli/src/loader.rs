//! Reads stack files from disk for the compiler. The only place that reads sources.

use std::path::{Component, Path, PathBuf};

use stackc::{Loaded, SourceError, SourceLoader, limits};

/// Loads files relative to the including file. Names shown to users are the paths as
/// given, joined lexically, so diagnostics never carry absolute machine paths.
pub struct FsLoader;

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
}

/// Reads a stack file (or include, module, values file): a regular file, at most
/// [`limits::MAX_FILE_BYTES`], UTF-8. What is not a regular file (a directory, `/dev/zero`, a
/// FIFO) is refused before it is opened, and a file is never read past the limit.
fn read_source(name: &Path) -> Result<String, SourceError> {
    use std::io::Read;
    let refuse = |why: String| Err(SourceError(why));
    let metadata = std::fs::metadata(name).map_err(|e| SourceError(io_reason(&e)))?;
    if !metadata.is_file() {
        return refuse("not a regular file (a directory, device or pipe)".to_owned());
    }
    let too_large =
        |size: u64| format!("{size} bytes or more, over the limit of {} for a stack file", limits::MAX_FILE_BYTES);
    if metadata.len() > limits::MAX_FILE_BYTES {
        return refuse(too_large(metadata.len()));
    }
    let file = std::fs::File::open(name).map_err(|e| SourceError(io_reason(&e)))?;
    let mut bytes = Vec::new();
    file.take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| SourceError(io_reason(&e)))?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        // It grew since its size was read.
        return refuse(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| SourceError("not UTF-8 text".to_owned()))
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
