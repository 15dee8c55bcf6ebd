//! Sizes written as Kubernetes-style binary quantities, in the MiB OpenNebula counts in.

const UNITS: [(&str, u64); 3] = [("Mi", 1), ("Gi", 1024), ("Ti", 1024 * 1024)];

/// `"4Gi"` → 4096. `None` for anything but a positive whole number and one of the units.
pub fn mebibytes(text: &str) -> Option<u64> {
    let (number, factor) = UNITS.iter().find_map(|(unit, factor)| Some((text.strip_suffix(unit)?, *factor)))?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse::<u64>().ok().filter(|n| *n > 0)?.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::mebibytes;

    #[test]
    fn binary_units_only() {
        assert_eq!(mebibytes("512Mi"), Some(512));
        assert_eq!(mebibytes("4Gi"), Some(4096));
        assert_eq!(mebibytes("1Ti"), Some(1_048_576));
        for bad in ["4G", "4", "0Gi", "-1Gi", "1.5Gi", "Gi", " 4Gi", "99999999999999999Ti"] {
            assert_eq!(mebibytes(bad), None, "{bad}");
        }
    }
}
