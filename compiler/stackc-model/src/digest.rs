//! sha256 digests: of plugin components (pinned in stacks, recorded in `stackc.lock`, keys of
//! the compile cache) and of bundle files.

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;

/// A sha256 digest. Displays as 64 lower-case hex digits, the form stacks pin and `sha256sum`
/// prints; the bundle's manifest writes it with a `sha256:` prefix of its own.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Digest(sha2::Sha256::digest(bytes).into())
    }

    /// A digest computed elsewhere, e.g. by a build script.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Sha256Digest(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads the 64 lower-case hex digits [`Display`](fmt::Display) writes; anything else,
    /// upper case included, is refused, so that one digest has one spelling.
    pub fn from_hex(text: &str) -> Result<Self, ParseDigestError> {
        let text = text.as_bytes();
        if text.len() != 64 {
            return Err(ParseDigestError);
        }
        let mut bytes = [0; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
            *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Ok(Sha256Digest(bytes))
    }
}

fn nibble(digit: u8) -> Result<u8, ParseDigestError> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        _ => Err(ParseDigestError),
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One write of 64 digits: a bundle displays a digest per file, and formatting byte by
        // byte with `{:02x}` showed in profiles.
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0xf)];
        }
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

impl FromStr for Sha256Digest {
    type Err = ParseDigestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Sha256Digest::from_hex(text)
    }
}

/// Text that is not a sha256 digest as [`Sha256Digest`] displays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseDigestError;

impl fmt::Display for ParseDigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sha256 digest is 64 lower-case hex digits")
    }
}

impl std::error::Error for ParseDigestError {}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn known_answer() {
        assert_eq!(Sha256Digest::of(b"abc").to_string(), ABC);
    }

    #[test]
    fn hex_round_trips_and_nothing_else_parses() {
        assert_eq!(ABC.parse(), Ok(Sha256Digest::of(b"abc")));
        assert_eq!(Sha256Digest::from_hex(&ABC.to_uppercase()), Err(ParseDigestError), "upper case");
        assert_eq!(Sha256Digest::from_hex(&ABC[..62]), Err(ParseDigestError), "short");
        assert_eq!(Sha256Digest::from_hex(&format!("{ABC}00")), Err(ParseDigestError), "long");
        assert_eq!(Sha256Digest::from_hex(&ABC.replace('b', "g")), Err(ParseDigestError), "not hex");
        assert_eq!(Sha256Digest::from_hex(&format!("é{}", &ABC[2..])), Err(ParseDigestError), "not ASCII");
    }
}
