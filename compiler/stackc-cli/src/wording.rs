//! Counts in messages, in English: "1 service", "2 services".

/// `n` and `noun`, the noun in the plural unless `n` is 1. Every noun stackc counts takes
/// an `s` (service, file, target, bundle, error, diff).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(super::count(0, "service"), "0 services");
        assert_eq!(super::count(1, "service"), "1 service");
        assert_eq!(super::count(1000, "file"), "1000 files");
    }
}
