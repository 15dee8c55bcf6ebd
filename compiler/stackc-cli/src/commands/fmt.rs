//! `stackc fmt`: stack files in the canonical layout (`stackc_syntax::format`), rewritten in
//! place, or with `--check` listed when they are not.

use std::path::{Path, PathBuf};

use stackc::diag::Sources;
use stackc::syntax::format::{FormatError, format};

use crate::args::FmtArgs;
use crate::commands::ExitStatus;
use crate::report::{Ending, render};

/// Directories never searched for stack files.
const SKIPPED: [&str; 4] = ["target", "out", "node_modules", "third_party"];

pub fn run(args: &FmtArgs, quiet: bool) -> ExitStatus {
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for root in &roots {
        if let Err(error) = collect(root, &mut files) {
            eprintln!("error: cannot read {}: {error}", root.display());
            return ExitStatus::Error;
        }
    }
    let mut status = ExitStatus::Success;
    let mut unformatted = Vec::new();
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", file.display());
                status = status.max(ExitStatus::Error);
                continue;
            }
        };
        match format(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(_) if args.check => unformatted.push(file.display().to_string()),
            Ok(formatted) => {
                if let Err(error) = std::fs::write(file, formatted) {
                    eprintln!("error: cannot write {}: {error}", file.display());
                    status = status.max(ExitStatus::Error);
                } else if !quiet {
                    outln!("formatted {}", file.display());
                }
            }
            Err(FormatError::Invalid) => {
                let mut sources = Sources::new();
                let id = sources.add(file.display().to_string(), text.clone());
                let parsed = stackc::syntax::parse(id, &text);
                eprint!("{}", render(&sources, &parsed.diagnostics, Ending::Count));
                status = status.max(ExitStatus::Failure);
            }
            Err(FormatError::WouldChange) => {
                eprintln!(
                    "error: {} was left alone: its layout could not be changed without changing what it says",
                    file.display()
                );
                status = status.max(ExitStatus::Error);
            }
        }
    }
    if !unformatted.is_empty() {
        for file in &unformatted {
            outln!("{file}");
        }
        eprintln!("error: {} not formatted; run `stackc fmt`", crate::wording::count(unformatted.len(), "file"));
        status = status.max(ExitStatus::Failure);
    }
    status
}

/// `path` if it is a file, else every `.kdl` file under it (hidden files and directories, and
/// build directories, skipped), sorted.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            if !SKIPPED.contains(&name.as_str()) {
                collect(&entry, files)?;
            }
        } else if name.ends_with(".kdl") {
            files.push(entry);
        }
    }
    Ok(())
}
