//! Unified diffs of the files that differ.

use stackc::bundle::{BundleDiff, FileChange};

use super::Side;

/// A unified diff per file that differs, in the diff's file order: `(path, patch)`.
pub fn patches(diff: &BundleDiff, old: &Side, new: &Side) -> Vec<(String, String)> {
    diff.files.iter().map(|file| (file.path.clone(), patch(file, old, new))).collect()
}

fn patch(file: &FileChange, old: &Side, new: &Side) -> String {
    let (a, b) = (format!("a/{}", file.path), format!("b/{}", file.path));
    let mut header = String::new();
    if let (Some(from), Some(to)) = (&file.old_mode, &file.new_mode) {
        header.push_str(&format!("mode {from} → {to}: {}\n", file.path));
    }
    if file.old_digest == file.new_digest {
        return header;
    }
    let read = |side: &Side, present: bool| -> Result<Option<Vec<u8>>, ()> {
        if !present {
            return Ok(None);
        }
        if !side.contents.available() {
            return Err(());
        }
        side.contents.get(&file.path).map(Some).ok_or(())
    };
    let (Ok(before), Ok(after)) = (read(old, file.old_digest.is_some()), read(new, file.new_digest.is_some())) else {
        header.push_str(&format!("{}: contents not available (only a manifest was given)\n", file.path));
        return header;
    };
    let (before_text, after_text) = (
        std::str::from_utf8(before.as_deref().unwrap_or_default()),
        std::str::from_utf8(after.as_deref().unwrap_or_default()),
    );
    let (Ok(before_text), Ok(after_text)) = (before_text, after_text) else {
        header.push_str(&format!("Binary files {} and {} differ\n", file.path, file.path));
        return header;
    };
    let from = if before.is_some() { a.as_str() } else { "/dev/null" };
    let to = if after.is_some() { b.as_str() } else { "/dev/null" };
    let text_diff = similar::TextDiff::from_lines(before_text, after_text);
    let mut unified = text_diff.unified_diff();
    header.push_str(&unified.context_radius(3).header(from, to).missing_newline_hint(true).to_string());
    header
}
