//! The plain-text report: a table of what changed, a count of what did not (also what
//! `stackc build --check` prints).

use stackc::bundle::{BundleDiff, Change, EntryDiff, Kind, Manifest};

use super::listing::Listing;
use crate::wording::count;

fn short(digest: Option<&String>) -> &str {
    digest.map_or("-", |d| Manifest::short(d))
}

/// `old → new` for a changed entry, the one digest otherwise.
pub fn digests(entry: &EntryDiff) -> String {
    match entry.change {
        Change::Unchanged | Change::Removed => short(entry.old_digest.as_ref()).to_owned(),
        Change::Added => short(entry.new_digest.as_ref()).to_owned(),
        Change::Changed => format!("{} → {}", short(entry.old_digest.as_ref()), short(entry.new_digest.as_ref())),
    }
}

pub fn kind(entry: &EntryDiff) -> &'static str {
    match entry.kind {
        Kind::Service => "service",
        Kind::Target => "target",
    }
}

pub fn counts(diff: &BundleDiff) -> String {
    let count = |c: Change| diff.entries.iter().filter(|e| e.change == c).count();
    format!(
        "{} changed, {} added, {} removed, {} unchanged",
        count(Change::Changed),
        count(Change::Added),
        count(Change::Removed),
        count(Change::Unchanged)
    )
}

pub fn stack_name(diff: &BundleDiff) -> String {
    if diff.old_stack == diff.new_stack {
        format!("`{}`", diff.new_stack)
    } else {
        format!("`{}` → `{}`", diff.old_stack, diff.new_stack)
    }
}

/// A short root digest, `none` for a side without a bundle.
pub fn short_root(root: &str) -> &str {
    if root.is_empty() { "none" } else { Manifest::short(root) }
}

fn root_line(diff: &BundleDiff) -> String {
    if diff.identical {
        format!("{} (identical)", Manifest::short(&diff.new_root))
    } else {
        format!("{} → {}", short_root(&diff.old_root), short_root(&diff.new_root))
    }
}

/// The table of `listing`; `all_flag` is the option that would list the unchanged entries
/// too, named in the count line that stands for them.
pub fn table(diff: &BundleDiff, listing: &Listing, all_flag: &str) -> String {
    let mut out = format!("stack {}: {}\nroot {}\n", stack_name(diff), counts(diff), root_line(diff));
    let rows: Vec<&EntryDiff> = listing.rows().collect();
    let name_width = rows.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let digest_width = rows.iter().map(|e| digests(e).chars().count()).max().unwrap_or(0);
    for entry in rows {
        let files = match entry.files.len() {
            0 => String::new(),
            n => format!("  {}", count(n, "file")),
        };
        let digest = digests(entry);
        let pad = digest_width - digest.chars().count();
        let line = format!(
            "  {:<9}  {:<7}  {:<name_width$}  {digest}{:pad$}{files}",
            entry.change.as_str(),
            kind(entry),
            entry.name,
            ""
        );
        out.push_str(line.trim_end());
        out.push('\n');
        for path in &entry.files {
            out.push_str(&format!("      {path}\n"));
        }
    }
    if let Some(left_out) = listing.left_out() {
        out.push_str(&format!("  … {left_out} (`{all_flag}` lists them)\n"));
    }
    out
}
