//! Host addresses: an IPv4 or IPv6 address, or a DNS name. They end up in inventories, in
//! `listen` directives and in URLs, where anything else is an error the deploy tool reports
//! late, or a config that does something else than meant.

/// Why `text` is not an address, if it is not.
pub(crate) fn check(text: &str) -> Result<(), String> {
    if text.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let labels: Vec<&str> = text.strip_suffix('.').unwrap_or(text).split('.').collect();
    // Dotted numbers are meant as an IPv4 address (`10.0.0.300`, `10.1.1.1.1`), never a name.
    if labels.iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("`{text}` is not an IPv4 address"));
    }
    if text.contains(':') {
        return Err(format!("`{text}` is not an IPv6 address"));
    }
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if text.len() > 253 || !labels.iter().all(label_ok) {
        return Err(format!("`{text}` is not an IP address or a DNS name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn addresses() {
        for ok in ["10.0.0.1", "127.0.1.21", "::1", "fd00::5", "db.example.org", "web1", "a-b.c.", "localhost"] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in ["not an address!", "10.0.0.300", "10.1.1.1.1", "1.2.3", "fe80:::1", "-web", "a..b", "", "x_y.org"] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
