//! Natural order of names: runs of digits compare as numbers, so `proxy14` comes before
//! `proxy139`, as people number services, where byte order would put it after.

use std::cmp::Ordering;

/// Compares `a` and `b` piece by piece, digit runs by value; names equal that way (`web01`
/// and `web1`) fall back to byte order, so the order is total and sorting is deterministic.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (mut left, mut right) = (Pieces(a), Pieces(b));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = if is_number(x) && is_number(y) { by_value(x, y) } else { x.cmp(y) };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn is_number(piece: &str) -> bool {
    piece.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// Two digit runs by value, however long: without leading zeros, the shorter is smaller.
fn by_value(x: &str, y: &str) -> Ordering {
    let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// A name cut into alternating runs of ASCII digits and of anything else.
struct Pieces<'a>(&'a str);

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let first = self.0.as_bytes().first()?;
        let digits = first.is_ascii_digit();
        let end = self.0.bytes().position(|b| b.is_ascii_digit() != digits).unwrap_or(self.0.len());
        let (piece, rest) = self.0.split_at(end);
        self.0 = rest;
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        names.sort_by(|a, b| compare(a, b));
        names
    }

    #[test]
    fn numbers_inside_names_sort_by_value() {
        assert_eq!(
            sorted(&["proxy139", "proxy14", "proxy144", "proxy4", "api", "proxy"]),
            ["api", "proxy", "proxy4", "proxy14", "proxy139", "proxy144"]
        );
        assert_eq!(sorted(&["h10/a", "h9/b", "h9/a"]), ["h9/a", "h9/b", "h10/a"]);
    }

    #[test]
    fn equal_values_fall_back_to_bytes_and_long_runs_do_not_overflow() {
        assert_eq!(sorted(&["web1", "web01", "web001"]), ["web001", "web01", "web1"]);
        assert_eq!(
            sorted(&["n99999999999999999999999", "n100000000000000000000000"]),
            ["n99999999999999999999999", "n100000000000000000000000"]
        );
        assert_eq!(compare("a", "a"), Ordering::Equal);
    }
}
