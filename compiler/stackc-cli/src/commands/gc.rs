//! `stackc gc`: removes old bundles under `out/<stack>/`, never the one `current` points at.

use std::path::PathBuf;

use super::ExitStatus;
use crate::args::GcArgs;
use crate::wording::count;

pub fn run(args: &GcArgs, quiet: bool) -> ExitStatus {
    let stack_dirs = match stack_dirs(args) {
        Ok(dirs) => dirs,
        Err(message) => {
            eprintln!("{message}");
            return ExitStatus::Error;
        }
    };
    for dir in stack_dirs {
        match crate::prune::prune(&dir, args.keep) {
            Ok(pruned) => {
                if !quiet {
                    let current = pruned
                        .current
                        .as_deref()
                        .map_or(String::new(), |c| format!(", current {}", &c[..12.min(c.len())]));
                    outln!(
                        "{}: {} removed, {} kept{current}",
                        dir.display(),
                        count(pruned.removed.len(), "bundle"),
                        pruned.kept.len()
                    );
                }
            }
            Err(error) => {
                eprintln!(
                    "error: cannot remove old bundles under `{}`: {}",
                    dir.display(),
                    crate::loader::io_reason(&error)
                );
                return ExitStatus::Error;
            }
        }
    }
    ExitStatus::Success
}

/// `out/<stack>` for each stack named, or for every stack under `out/`.
fn stack_dirs(args: &GcArgs) -> Result<Vec<PathBuf>, String> {
    if !args.stacks.is_empty() {
        let dirs: Vec<PathBuf> = args.stacks.iter().map(|s| args.out.join(s)).collect();
        if let Some(missing) = dirs.iter().find(|d| !d.is_dir()) {
            return Err(format!(
                "error: no bundles at `{}`\n\nhint: `stackc gc` takes stack names (the `stack` node's, as under `{}`), not stack files",
                missing.display(),
                args.out.display()
            ));
        }
        return Ok(dirs);
    }
    let entries = std::fs::read_dir(&args.out)
        .map_err(|e| format!("error: cannot read `{}`: {}", args.out.display(), crate::loader::io_reason(&e)))?;
    let mut dirs: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    Ok(dirs)
}
