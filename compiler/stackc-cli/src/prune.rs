//! Which bundles of a stack `stackc gc` removes: everything but the one `current` points at
//! and the most recently written ones. Bundles are never modified once written (see
//! `store.rs`), so a directory's modification time is when its bundle was written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A bundle directory under `out/<stack>/`.
pub struct Bundle {
    pub dir: PathBuf,
    written: SystemTime,
}

/// What pruning a stack directory decided, and did.
pub struct Pruned {
    pub removed: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
    /// The directory name `current` points at, if it points at a bundle.
    pub current: Option<String>,
}

/// Removes the bundles of `stack_dir` except `current`'s and the `keep` newest.
pub fn prune(stack_dir: &Path, keep: usize) -> io::Result<Pruned> {
    let current = fs::read_link(stack_dir.join("current")).ok().map(|t| t.to_string_lossy().into_owned());
    let mut bundles = bundles(stack_dir)?;
    // Newest first; equal times (coarse clocks) by name, so the choice is deterministic.
    bundles.sort_by(|a, b| b.written.cmp(&a.written).then_with(|| a.dir.cmp(&b.dir)));
    let (mut kept, mut removed) = (Vec::new(), Vec::new());
    for (age, bundle) in bundles.into_iter().enumerate() {
        let is_current = current.as_deref().is_some_and(|c| bundle.dir.file_name().is_some_and(|n| n == c));
        if is_current || age < keep {
            kept.push(bundle.dir);
        } else {
            fs::remove_dir_all(&bundle.dir)?;
            removed.push(bundle.dir);
        }
    }
    Ok(Pruned { removed, kept, current })
}

/// The bundle directories of `stack_dir`: named by a root digest (64 lower-case hex digits)
/// and holding a manifest. Anything else there (`current`, a build's temporary directory,
/// a file someone put there) is not ours to remove.
fn bundles(stack_dir: &Path) -> io::Result<Vec<Bundle>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(stack_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_digest = name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let metadata = fs::symlink_metadata(entry.path())?;
        if is_digest && metadata.is_dir() && entry.path().join("manifest.toml").is_file() {
            out.push(Bundle { dir: entry.path(), written: metadata.modified()? });
        }
    }
    Ok(out)
}
