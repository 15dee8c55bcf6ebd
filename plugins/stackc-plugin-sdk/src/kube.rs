//! Checks for names and values Kubernetes accepts, for plugins that emit objects or Helm
//! values: better a diagnostic at the stack file than a rejected apply.

/// Units of memory and storage quantities (`512Mi`, `10Gi`, `1.5G`).
pub const STORAGE_UNITS: [&str; 11] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "k", "M", "G", "T", "P"];

/// A DNS-1123 label: namespaces, most object names, volume names.
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A DNS-1123 subdomain: host names, storage class names.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// An IANA service name: what Kubernetes accepts for port names.
pub fn is_port_name(name: &str) -> bool {
    is_dns_label(name) && name.len() <= 15 && name.bytes().any(|b| b.is_ascii_lowercase()) && !name.contains("--")
}

/// A quantity such as `500m` or `1.5Gi`, with a unit from `units`.
pub fn is_quantity(text: &str, units: &[&str]) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && units.contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_quantities() {
        assert!(is_dns_label("redis-0") && !is_dns_label("Redis") && !is_dns_label("-a") && !is_dns_label(""));
        assert!(is_dns_subdomain("app.example.org") && !is_dns_subdomain("a..b"));
        assert!(is_port_name("http") && !is_port_name("a-very-long-port-name") && !is_port_name("80"));
        assert!(is_quantity("1.5Gi", &STORAGE_UNITS) && is_quantity("500m", &["", "m"]));
        assert!(!is_quantity("ten", &STORAGE_UNITS) && !is_quantity("1.Gi", &STORAGE_UNITS));
    }
}
