//! "Did you mean …?" suggestions for misspelled names.

/// The candidate closest to `name`, if any is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        // Highest score wins; ties go to the alphabetically first name so that the
        // suggestion does not depend on the candidates' order.
        .max_by(|(sa, a), (sb, b)| sa.total_cmp(sb).then_with(|| b.cmp(a)))
        .map(|(_, c)| c)
}

/// A ready-made help line: "did you mean `nginx`?".
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let plugins = ["nginx", "prometheus", "etcd"];
        assert_eq!(suggest("ngnix", plugins), Some("nginx"));
        assert_eq!(suggest("promethus", plugins), Some("prometheus"));
        assert_eq!(suggest("postgres", plugins), None);
    }
}
