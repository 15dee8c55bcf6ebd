//! Durations as the programs plugins configure write them: a sequence of numbers with units,
//! such as `1m30s` or `1900ms`.

/// The units of a Prometheus duration (`30s`, `1h30m`, `15d`).
pub const PROMETHEUS: &[&str] = &["ms", "s", "m", "h", "d", "w", "y"];

/// The units of a Go duration the exporters take (`time.ParseDuration`; no days).
pub const GO: &[&str] = &["ms", "s", "m", "h"];

/// Whether `text` is one or more whole numbers, each followed by one of `units`. A unit that
/// starts another (`ms`, `m`) is listed first.
pub fn is_duration(text: &str, units: &[&str]) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        match units.iter().find(|u| rest.starts_with(**u)) {
            Some(unit) => rest = &rest[unit.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_units() {
        for good in ["30s", "1m30s", "1900ms", "15d", "1h30m"] {
            assert!(is_duration(good, PROMETHEUS), "{good}");
        }
        for bad in ["", "s", "30", "1.5s", "30 s", "-1s", "1x", "1m30"] {
            assert!(!is_duration(bad, PROMETHEUS), "{bad}");
        }
        // Go has no days.
        assert!(!is_duration("15d", GO) && is_duration("1900ms", GO));
    }
}
