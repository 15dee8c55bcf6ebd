//! The Markdown report, for a merge or pull request comment: kept under a size bound, since
//! common forges refuse or cut comments over 65,536 characters.

use stackc::bundle::{BundleDiff, Change, Manifest};

use super::listing::Listing;
use super::text::{counts, digests, kind, short_root, stack_name};

/// At most this many characters: under the 65,536 of common forges, with room for what a CI
/// job writes around the report.
pub const LIMIT: usize = 60_000;

/// Kept free for the lines that always end the report: the count of unchanged entries and
/// the note of what was cut (each well under 200 characters).
const CLOSING_ROOM: usize = 500;

pub fn report(diff: &BundleDiff, listing: &Listing, patches: &[(String, String)], limit: usize) -> String {
    let mut out = Bounded { text: String::new(), chars: 0, limit: limit.saturating_sub(CLOSING_ROOM) };
    out.push(&format!("### stackc diff: {}\n\n", stack_name(diff)));
    let root = if diff.identical {
        format!("`{}` (identical)", Manifest::short(&diff.new_root))
    } else {
        format!("`{}` → `{}`", short_root(&diff.old_root), short_root(&diff.new_root))
    };
    out.push(&format!("{} · root {root}\n\n", counts(diff)));

    let rows: Vec<String> = listing.rows().map(row).collect();
    let rows_shown = if rows.is_empty() {
        0
    } else {
        out.push("| change | kind | name | digest | files |\n|---|---|---|---|---|\n");
        out.push_while_they_fit(&rows)
    };
    if let Some(left_out) = listing.left_out() {
        out.push(&format!("\n{left_out}: not listed (`--all` lists them).\n"));
    }
    let details: Vec<String> = patches.iter().map(|(path, patch)| details(path, patch)).collect();
    let patches_shown = out.push_while_they_fit(&details);

    let mut text = out.text;
    if rows_shown < rows.len() || patches_shown < details.len() {
        text.push_str(&format!(
            "\n> **Cut to stay under {} characters:** {} of {} rows and {} of {} file diffs are not shown; \
             `stackc diff` without `--format markdown` shows everything.\n",
            thousands(limit),
            rows.len() - rows_shown,
            rows.len(),
            details.len() - patches_shown,
            details.len()
        ));
    }
    text
}

/// A string that grows only while it stays within `limit` characters.
struct Bounded {
    text: String,
    chars: usize,
    limit: usize,
}

impl Bounded {
    /// Appends `piece` whatever its size: the heading and the count of unchanged entries,
    /// which are short.
    fn push(&mut self, piece: &str) {
        self.text.push_str(piece);
        self.chars += piece.chars().count();
    }

    /// Appends `pieces` in order until one would not fit; returns how many were appended.
    /// Stopping at the first that does not fit keeps what is shown a prefix of the order.
    fn push_while_they_fit(&mut self, pieces: &[String]) -> usize {
        for (shown, piece) in pieces.iter().enumerate() {
            let chars = piece.chars().count();
            if self.chars + chars > self.limit {
                return shown;
            }
            self.text.push_str(piece);
            self.chars += chars;
        }
        pieces.len()
    }
}

fn row(entry: &stackc::bundle::EntryDiff) -> String {
    let files = entry.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join("<br>");
    let digest = digests(entry).split(" → ").map(|d| format!("`{d}`")).collect::<Vec<_>>().join(" → ");
    let change = match entry.change {
        Change::Unchanged => "unchanged".to_owned(),
        other => format!("**{}**", other.as_str()),
    };
    format!("| {change} | {} | `{}` | {digest} | {files} |\n", kind(entry), entry.name)
}

fn details(path: &str, patch: &str) -> String {
    let longest = longest_backtick_run(patch);
    let fence = "`".repeat(longest.max(2) + 1);
    format!(
        "\n<details><summary><code>{}</code></summary>\n\n{fence}diff\n{patch}{fence}\n\n</details>\n",
        html_escape(path)
    )
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// 60000 → "60,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use stackc::bundle::{BundleDiff, Change, EntryDiff, Kind};

    use super::*;

    fn diff(changed: usize, unchanged: usize) -> BundleDiff {
        let entry = |i: usize, change| EntryDiff {
            kind: Kind::Service,
            name: format!("service{i}"),
            change,
            old_digest: Some(format!("sha256:{i:064x}")),
            new_digest: Some(format!("sha256:{:064x}", i + usize::from(change == Change::Changed))),
            files: if change == Change::Changed { vec![format!("hosts/h/{i}.conf")] } else { Vec::new() },
        };
        let mut entries: Vec<EntryDiff> = (0..changed).map(|i| entry(i, Change::Changed)).collect();
        entries.extend((changed..changed + unchanged).map(|i| entry(i, Change::Unchanged)));
        BundleDiff {
            old_stack: "s".into(),
            new_stack: "s".into(),
            old_root: format!("sha256:{:064x}", 1),
            new_root: format!("sha256:{:064x}", 2),
            identical: false,
            entries,
            files: Vec::new(),
        }
    }

    fn patches(n: usize, lines: usize) -> Vec<(String, String)> {
        (0..n).map(|i| (format!("hosts/h/{i}.conf"), "+a changed line\n".repeat(lines))).collect()
    }

    #[test]
    fn within_the_bound_nothing_is_cut() {
        let d = diff(3, 997);
        let text = report(&d, &Listing::new(&d, false), &patches(3, 5), LIMIT);
        assert!(!text.contains("Cut to stay under"), "{text}");
        assert_eq!(text.matches("| **changed** |").count(), 3);
        assert_eq!(text.matches("<details>").count(), 3);
        assert!(text.contains("997 unchanged services: not listed (`--all` lists them)."), "{text}");
    }

    #[test]
    fn over_the_bound_rows_and_diffs_are_cut_with_a_note() {
        let d = diff(2000, 0);
        let text = report(&d, &Listing::new(&d, false), &patches(2000, 40), LIMIT);
        assert!(text.chars().count() <= LIMIT, "{}", text.chars().count());
        let shown = text.matches("| **changed** |").count();
        assert!(shown > 100 && shown < 2000, "{shown}");
        let note = format!("{} of 2000 rows and 2000 of 2000 file diffs are not shown", 2000 - shown);
        assert!(text.contains(&note), "{note}\n{}", &text[text.len() - 400..]);
        assert!(text.contains("Cut to stay under 60,000 characters"));
    }

    #[test]
    fn large_patches_are_cut_in_order() {
        let d = diff(3, 0);
        let text = report(&d, &Listing::new(&d, false), &patches(3, 1500), LIMIT);
        assert!(text.chars().count() <= LIMIT);
        assert!(text.contains("hosts/h/0.conf</code>") && text.contains("hosts/h/1.conf</code>"));
        assert!(!text.contains("hosts/h/2.conf</code>"), "the third patch does not fit");
        assert!(text.contains("0 of 3 rows and 1 of 3 file diffs are not shown"), "{}", &text[text.len() - 300..]);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(60_000), "60,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
