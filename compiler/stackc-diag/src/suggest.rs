//! "Did you mean …?" suggestions for misspelled names.
//!
//! A suggestion must be a likely typo, not merely a similar name: names in stacks share
//! long prefixes (`proxy-tls-cert`, `proxy-tls-key`; `web1`, `web2`), and suggesting the
//! neighbour would wire a key in as a certificate or place a service on the wrong host.
//! So besides being close overall, a candidate must differ from the name only by typos
//! within words, and never in its numbers.

/// The candidate closest to `name`, if any is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, c)| *score > 0.8 && only_typos_apart(name, c))
        // Highest score wins; ties go to the alphabetically first name so that the
        // suggestion does not depend on the candidates' order.
        .max_by(|(sa, a), (sb, b)| sa.total_cmp(sb).then_with(|| b.cmp(a)))
        .map(|(_, c)| c)
}

/// A ready-made help line: "did you mean `nginx`?".
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// True when `name` and `candidate` could be one name typed two ways: word for word (words
/// are separated by `-`, `_` or `.`), each word equal or a typo of the other; or, when a
/// separator was left out or added, the same test on the names without separators.
fn only_typos_apart(name: &str, candidate: &str) -> bool {
    let (a, b) = (words(name), words(candidate));
    if a.len() == b.len() {
        a.iter().zip(&b).all(|(x, y)| x == y || typo(x, y))
    } else {
        typo(&a.concat(), &b.concat())
    }
}

fn words(name: &str) -> Vec<&str> {
    name.split(['-', '_', '.']).collect()
}

/// A likely typo: numbers identical, and letters one edit apart (two letters swapped, one
/// missing, extra or wrong; not in words under three letters, where that makes another word:
/// `a`, `b`) or close overall. Jaro-Winkler alone misses swaps in short words (`kye`).
fn typo(x: &str, y: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let one_edit = x.chars().count().min(y.chars().count()) >= 3 && strsim::osa_distance(x, y) <= 1;
    digits(x) == digits(y) && (one_edit || strsim::jaro_winkler(x, y) > 0.8)
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

    #[test]
    fn a_different_word_is_not_a_typo() {
        let secrets = ["proxy-tls-key", "db-password"];
        assert_eq!(suggest("proxy-tls-cert", secrets), None, "a key is no certificate");
        assert_eq!(suggest("proxy-tsl-key", secrets), Some("proxy-tls-key"));
        assert_eq!(suggest("proxy_tls_kye", secrets), Some("proxy-tls-key"));
        assert_eq!(suggest("proxy-tlskey", secrets), Some("proxy-tls-key"), "a separator left out");
        assert_eq!(suggest("db-a", ["db-b"]), None, "one letter is a word of its own");
    }

    #[test]
    fn a_different_number_is_not_a_typo() {
        let hosts = ["web1", "web2", "db10"];
        assert_eq!(suggest("web3", hosts), None);
        assert_eq!(suggest("wbe1", hosts), Some("web1"));
        assert_eq!(suggest("db1", hosts), None);
    }
}
