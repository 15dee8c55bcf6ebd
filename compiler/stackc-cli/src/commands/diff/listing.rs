//! Which entries a diff report lists, in which order: what changed comes first, unchanged
//! entries are a count unless asked for. In a 1,000-service stack a three-service change
//! would otherwise be three lines among a thousand.

use std::cmp::Ordering;

use stackc::bundle::{BundleDiff, Change, EntryDiff, Kind};

use crate::natural_order;
use crate::wording::count;

/// The entries of a report.
pub struct Listing<'a> {
    /// Changed, added and removed entries: services, then targets, each in natural order.
    pub changes: Vec<&'a EntryDiff>,
    /// Unchanged entries, in the same order; listed only with `--all`.
    pub unchanged: Vec<&'a EntryDiff>,
    pub all: bool,
}

impl<'a> Listing<'a> {
    pub fn new(diff: &'a BundleDiff, all: bool) -> Self {
        let (mut unchanged, mut changes): (Vec<_>, Vec<_>) =
            diff.entries.iter().partition(|e| e.change == Change::Unchanged);
        changes.sort_by(|a, b| in_order(a, b));
        unchanged.sort_by(|a, b| in_order(a, b));
        Listing { changes, unchanged, all }
    }

    /// The rows of the table: the changes, then the unchanged entries with `--all`.
    pub fn rows(&self) -> impl Iterator<Item = &'a EntryDiff> + '_ {
        let unchanged = if self.all { self.unchanged.as_slice() } else { &[] };
        self.changes.iter().chain(unchanged).copied()
    }

    /// "998 unchanged services and 1 unchanged target", when some are left out of the rows.
    pub fn left_out(&self) -> Option<String> {
        if self.all || self.unchanged.is_empty() {
            return None;
        }
        let of = |kind: Kind| self.unchanged.iter().filter(|e| e.kind == kind).count();
        let parts: Vec<String> = [(of(Kind::Service), "unchanged service"), (of(Kind::Target), "unchanged target")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, noun)| count(n, noun))
            .collect();
        Some(parts.join(" and "))
    }
}

/// Services before targets, then names in natural order (`proxy14` before `proxy139`).
pub fn in_order(a: &EntryDiff, b: &EntryDiff) -> Ordering {
    a.kind.cmp(&b.kind).then_with(|| natural_order::compare(&a.name, &b.name))
}
