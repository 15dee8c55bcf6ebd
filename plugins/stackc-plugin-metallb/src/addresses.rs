//! The address ranges of a pool, read as MetalLB reads them: `first-last` or a CIDR prefix,
//! so that a range its webhook would refuse is a config error at the stack file instead.

use std::net::IpAddr;

/// An inclusive range of addresses of one family, as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) first: u128,
    pub(crate) last: u128,
    pub(crate) v6: bool,
}

impl Range {
    pub(crate) fn overlaps(&self, other: &Range) -> bool {
        self.v6 == other.v6 && self.first <= other.last && other.first <= self.last
    }
}

/// The range `text` names, or why it names none.
pub(crate) fn parse(text: &str) -> Result<Range, String> {
    let text = text.trim();
    if let Some((address, prefix)) = text.split_once('/') {
        return cidr(address, prefix);
    }
    let Some((first, last)) = text.split_once('-') else {
        return Err(format!("`{text}` is neither a range `first-last` nor a CIDR prefix"));
    };
    let (first, last) = (address(first.trim())?, address(last.trim())?);
    if first.is_ipv6() != last.is_ipv6() {
        return Err(format!("`{text}` mixes an IPv4 and an IPv6 address"));
    }
    let range = Range { first: number(first), last: number(last), v6: first.is_ipv6() };
    if range.first > range.last {
        return Err(format!("`{text}` starts after it ends"));
    }
    Ok(range)
}

fn cidr(address_text: &str, prefix_text: &str) -> Result<Range, String> {
    let address = address(address_text)?;
    let bits: u32 = if address.is_ipv6() { 128 } else { 32 };
    let prefix = prefix_text
        .parse::<u32>()
        .ok()
        .filter(|p| *p <= bits && prefix_text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| format!("`/{prefix_text}` is not a prefix length of 0 to {bits}"))?;
    let host_bits = bits - prefix;
    let hosts = if host_bits == 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
    let first = number(address);
    if first & hosts != 0 {
        let network = first & !hosts;
        let network = if address.is_ipv6() {
            IpAddr::from(network.to_be_bytes())
        } else {
            IpAddr::from(u32::try_from(network).unwrap_or(0).to_be_bytes())
        };
        return Err(format!("`{address_text}/{prefix_text}` has host bits set; the prefix is `{network}/{prefix}`"));
    }
    Ok(Range { first, last: first | hosts, v6: address.is_ipv6() })
}

fn address(text: &str) -> Result<IpAddr, String> {
    text.parse().map_err(|_| format!("`{text}` is not an IP address"))
}

fn number(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_prefixes() {
        let range = parse("10.20.0.200-10.20.0.220").expect("a range");
        assert_eq!((range.last - range.first, range.v6), (20, false));
        let prefix = parse("10.20.1.0/28").expect("a prefix");
        assert_eq!(prefix.last - prefix.first, 15);
        assert_eq!(parse("10.0.0.7/32").expect("one address").first, parse("10.0.0.7-10.0.0.7").expect("").last);
        assert!(parse("fd00::/120").expect("IPv6").v6);
        assert!(parse("0.0.0.0/0").is_ok() && parse("::/0").is_ok());
        assert!(parse("10.20.0.1/28").unwrap_err().contains("`10.20.0.0/28`"));
        assert!(parse("10.0.0.9-10.0.0.1").unwrap_err().contains("starts after it ends"));
        assert!(parse("10.0.0.1-fd00::1").unwrap_err().contains("mixes"));
        assert!(parse("10.0.0.0/33").is_err() && parse("10.0.0.0/+8").is_err());
        assert!(parse("10.0.0.300-10.0.0.301").unwrap_err().contains("`10.0.0.300` is not an IP address"));
        assert!(parse("10.0.0.1").is_err());
    }

    #[test]
    fn overlaps_within_one_family() {
        let a = parse("10.0.0.0/24").expect("");
        assert!(a.overlaps(&parse("10.0.0.255-10.0.1.3").expect("")));
        assert!(!a.overlaps(&parse("10.0.1.0/24").expect("")));
        assert!(!a.overlaps(&parse("::a00:0/120").expect("")));
    }
}
