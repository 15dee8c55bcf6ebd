//! Writes bundles to disk: immutable, content-addressed directories and an atomically
//! switched `current` link.
//!
//! ```text
//! out/<stack>/<root hex>/manifest.toml   one directory per distinct bundle, never modified
//! out/<stack>/<root hex>/hosts/…
//! out/<stack>/current -> <root hex>      switched with a rename, so always whole
//! ```
//!
//! A bundle is first written to a temporary directory beside its final place, then renamed
//! into place. An interrupted or failed build leaves at most a temporary directory (cleaned
//! up by the next build), never a half bundle, and never touches the previous one.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use stackc::bundle::{Bundle, Manifest};

/// What writing did.
pub struct Stored {
    /// The bundle directory.
    pub dir: PathBuf,
    /// False when an identical, intact bundle was already there and `current` pointed at
    /// it: nothing was written.
    pub wrote: bool,
}

pub fn store(out: &Path, bundle: &Bundle) -> io::Result<Stored> {
    let stack_dir = out.join(&bundle.stack);
    fs::create_dir_all(&stack_dir)?;
    let hex = bundle.root().trim_start_matches("sha256:").to_owned();
    let dir = stack_dir.join(&hex);
    clean_stale_temporaries(&stack_dir)?;

    let mut wrote = false;
    if !is_intact(&dir, bundle) {
        let tmp = stack_dir.join(format!(".tmp-{hex}-{}", std::process::id()));
        let result = write_tree(&tmp, bundle).and_then(|()| {
            if dir.exists() {
                // A damaged copy of this bundle: set it aside, never trust it.
                let damaged = stack_dir.join(format!(".damaged-{hex}-{}", std::process::id()));
                fs::rename(&dir, &damaged)?;
                fs::remove_dir_all(&damaged)?;
            }
            fs::rename(&tmp, &dir)
        });
        if result.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        result?;
        wrote = true;
    }

    let current = stack_dir.join("current");
    if fs::read_link(&current).ok().as_deref() != Some(Path::new(&hex)) {
        let link = stack_dir.join(format!(".current-{}", std::process::id()));
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(&hex, &link)?;
        fs::rename(&link, &current)?;
        wrote = true;
    }
    Ok(Stored { dir, wrote })
}

fn write_tree(root: &Path, bundle: &Bundle) -> io::Result<()> {
    if root.exists() {
        fs::remove_dir_all(root)?;
    }
    fs::create_dir_all(root)?;
    // Directories first, once each (paths are sorted, so a parent comes before its
    // children); then the files, in parallel: thousands of small writes are system calls
    // that overlap well.
    let mut made: Option<&Path> = None;
    for file in &bundle.files {
        let parent = Path::new(&file.path).parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent
            && made != Some(parent)
        {
            fs::create_dir_all(root.join(parent))?;
            made = Some(parent);
        }
    }
    bundle.files.par_iter().try_for_each(|file| {
        let path = root.join(&file.path);
        fs::write(&path, &file.contents)?;
        fs::set_permissions(&path, fs::Permissions::from_mode(file.mode))
    })?;
    fs::write(root.join("manifest.toml"), &bundle.manifest_toml)?;
    Ok(())
}

/// True when `dir` holds exactly this bundle: the manifest matches and every file has its
/// mode and exactly its bytes.
fn is_intact(dir: &Path, bundle: &Bundle) -> bool {
    let Ok(text) = fs::read_to_string(dir.join("manifest.toml")) else { return false };
    if Manifest::parse(&text).ok().as_ref() != Some(&bundle.manifest) {
        return false;
    }
    bundle.files.par_iter().all(|f| {
        let path = dir.join(&f.path);
        let mode_ok = fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o7777 == f.mode);
        mode_ok && fs::read(&path).is_ok_and(|bytes| bytes == f.contents)
    })
}

/// Temporary directories of builds that died. Only ours are touched: `.tmp-*` and
/// `.damaged-*` whose process is gone.
fn clean_stale_temporaries(stack_dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(stack_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(".tmp-").or_else(|| name.strip_prefix(".damaged-")) else { continue };
        let pid = rest.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}
