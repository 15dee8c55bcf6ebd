//! `file:` URIs, which the protocol names documents by, and the paths the loader reads.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The path a `file:` URI names; `None` for other schemes, a remote host or a relative path.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    Some(PathBuf::from(OsString::from_vec(percent_decode(path.as_bytes())?)))
}

/// The `file:` URI of an absolute path; `None` for a relative one.
pub fn from_path(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let mut text = String::from("file://");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&text).ok()
}

/// `%41` → `A`; `None` for a `%` not followed by two hex digits.
fn percent_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter();
    while let Some(&byte) = bytes.next() {
        if byte == b'%' {
            let high = char::from(*bytes.next()?).to_digit(16)?;
            let low = char::from(*bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(high * 16 + low).ok()?);
        } else {
            out.push(byte);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).expect("a URI")
    }

    #[test]
    fn paths_and_uris_round_trip_with_escapes() {
        let path = Path::new("/srv/my stacks/café#1.kdl");
        let encoded = from_path(path).expect("absolute");
        assert_eq!(encoded.as_str(), "file:///srv/my%20stacks/caf%C3%A9%231.kdl");
        assert_eq!(to_path(&encoded).as_deref(), Some(path));
    }

    #[test]
    fn clients_spell_uris_their_own_way() {
        assert_eq!(to_path(&uri("file:///a/b%3Ac.kdl")).as_deref(), Some(Path::new("/a/b:c.kdl")));
        assert_eq!(to_path(&uri("file://localhost/a.kdl")).as_deref(), Some(Path::new("/a.kdl")));
        assert_eq!(to_path(&uri("file://server/a.kdl")), None);
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(percent_decode(b"/a%zz.kdl"), None);
        assert_eq!(from_path(Path::new("relative.kdl")), None);
    }
}
