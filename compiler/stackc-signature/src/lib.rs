//! Signatures of plugin components.
//!
//! A publisher signs a component's bytes with an SSH key, in the format `ssh-keygen -Y sign`
//! writes (`SSHSIG`, armored), under the namespace [`NAMESPACE`]; a stack names the public keys
//! it trusts for each plugin. `ssh-keygen` and stackc make and check the same signatures:
//!
//! ```text
//! ssh-keygen -Y sign -f key -n stackc-plugin hello.wasm      # writes hello.wasm.sig
//! ssh-keygen -Y check-novalidate -n stackc-plugin -s hello.wasm.sig < hello.wasm
//! ```
//!
//! An SSH signature covers the SHA-512 of the message, so signing the component's bytes signs
//! its digest. Only Ed25519 keys are accepted: small, deterministic signatures (the same key
//! and component give the same signature bytes), and the key type `ssh-keygen -t ed25519`
//! makes.
//!
//! Pure: text and bytes in, values out; reading key files is the caller's job.

use std::fmt;

use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSH signature namespace of plugin components: a signature made for anything else (a git
/// commit, a file) does not verify as a plugin's.
pub const NAMESPACE: &str = "stackc-plugin";

/// A public key a stack trusts to sign a plugin.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustedKey {
    key: PublicKey,
}

/// Who signed a component: the key's fingerprint (`SHA256:…`, as `ssh-keygen -l` prints it) and
/// the comment of the trusted key that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub fingerprint: String,
    pub comment: String,
}

/// Why a key, a signature or a signing could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Not an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    BadPublicKey(String),
    /// A key of a type other than Ed25519.
    UnsupportedKey(String),
    /// Not an OpenSSH private key, or one protected by a passphrase.
    BadPrivateKey(String),
    /// Not an armored SSH signature.
    Malformed(String),
    /// A signature made for another purpose than signing plugins.
    WrongNamespace(String),
    /// A signature by a key no trusted key matches.
    Untrusted { fingerprint: String },
    /// The signature does not match the component: other bytes were signed.
    DoesNotVerify { fingerprint: String },
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadPublicKey(why) => write!(f, "not an OpenSSH public key: {why}"),
            Self::UnsupportedKey(kind) => write!(f, "a {kind} key; plugin signatures use Ed25519 keys"),
            Self::BadPrivateKey(why) => write!(f, "cannot use the private key: {why}"),
            Self::Malformed(why) => write!(f, "not an SSH signature: {why}"),
            Self::WrongNamespace(namespace) => {
                write!(f, "the signature is for `{namespace}`, not for `{NAMESPACE}`")
            }
            Self::Untrusted { fingerprint } => write!(f, "signed by {fingerprint}, a key not trusted for this plugin"),
            Self::DoesNotVerify { fingerprint } => {
                write!(f, "the signature by {fingerprint} does not match the component's bytes")
            }
        }
    }
}

impl std::error::Error for SignatureError {}

impl TrustedKey {
    /// Reads an OpenSSH public key line, as in `id_ed25519.pub` or `authorized_keys`.
    pub fn parse(line: &str) -> Result<TrustedKey, SignatureError> {
        // Named first: a key of an algorithm not compiled in would not even parse.
        match line.split_whitespace().next() {
            Some("ssh-ed25519") => {}
            Some(kind) if kind.starts_with("ssh-") || kind.starts_with("ecdsa-") => {
                return Err(SignatureError::UnsupportedKey(kind.to_owned()));
            }
            _ => {}
        }
        let key = PublicKey::from_openssh(line.trim()).map_err(|e| SignatureError::BadPublicKey(e.to_string()))?;
        ed25519_only(key.algorithm())?;
        Ok(TrustedKey { key })
    }

    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    pub fn comment(&self) -> &str {
        self.key.comment()
    }
}

impl fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustedKey({})", self.fingerprint())
    }
}

/// Signs `component` with an unencrypted OpenSSH Ed25519 private key; returns the armored
/// signature, as `ssh-keygen -Y sign` writes it.
pub fn sign(private_key: &str, component: &[u8]) -> Result<String, SignatureError> {
    let key = PrivateKey::from_openssh(private_key).map_err(|e| SignatureError::BadPrivateKey(e.to_string()))?;
    if key.is_encrypted() {
        return Err(SignatureError::BadPrivateKey(
            "it is protected by a passphrase; sign with `ssh-keygen -Y sign` instead".to_owned(),
        ));
    }
    ed25519_only(key.algorithm())?;
    let signature =
        key.sign(NAMESPACE, HashAlg::Sha512, component).map_err(|e| SignatureError::BadPrivateKey(e.to_string()))?;
    signature.to_pem(LineEnding::LF).map_err(|e| SignatureError::Malformed(e.to_string()))
}

/// The key that made a signature, as [`signed_by`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The OpenSSH public key line (no comment: a signature carries none), for `signed-by`.
    pub public_key: String,
}

/// The key that made `signature`, whether or not anyone trusts it: what `stackc plugin
/// inspect` shows. Checks the signature against `component` with that key.
pub fn signed_by(signature: &[u8], component: &[u8]) -> Result<SignedBy, SignatureError> {
    let parsed = parse_signature(signature)?;
    let key = PublicKey::from(parsed.public_key().clone());
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    key.verify(NAMESPACE, component, &parsed)
        .map_err(|_| SignatureError::DoesNotVerify { fingerprint: fingerprint.clone() })?;
    let public_key = key.to_openssh().map_err(|e| SignatureError::Malformed(e.to_string()))?;
    Ok(SignedBy { fingerprint, public_key })
}

/// The public key line of an OpenSSH private key, comment included: what a stack that trusts
/// its signatures writes in `signed-by`.
pub fn public_key_of(private_key: &str) -> Result<String, SignatureError> {
    let key = PrivateKey::from_openssh(private_key).map_err(|e| SignatureError::BadPrivateKey(e.to_string()))?;
    key.public_key().to_openssh().map_err(|e| SignatureError::BadPrivateKey(e.to_string()))
}

/// Checks that `signature` is a signature of `component` by one of `trusted`.
pub fn verify(signature: &[u8], component: &[u8], trusted: &[TrustedKey]) -> Result<Signer, SignatureError> {
    let parsed = parse_signature(signature)?;
    let fingerprint = parsed.public_key().fingerprint(HashAlg::Sha256).to_string();
    let Some(key) = trusted.iter().find(|t| t.key.key_data() == parsed.public_key()) else {
        return Err(SignatureError::Untrusted { fingerprint });
    };
    key.key
        .verify(NAMESPACE, component, &parsed)
        .map_err(|_| SignatureError::DoesNotVerify { fingerprint: fingerprint.clone() })?;
    Ok(Signer { fingerprint, comment: key.comment().to_owned() })
}

fn parse_signature(signature: &[u8]) -> Result<SshSig, SignatureError> {
    let parsed = SshSig::from_pem(signature).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    if parsed.namespace() != NAMESPACE {
        return Err(SignatureError::WrongNamespace(parsed.namespace().to_owned()));
    }
    ed25519_only(parsed.algorithm())?;
    Ok(parsed)
}

fn ed25519_only(algorithm: Algorithm) -> Result<(), SignatureError> {
    match algorithm {
        Algorithm::Ed25519 => Ok(()),
        other => Err(SignatureError::UnsupportedKey(other.to_string())),
    }
}

#[cfg(test)]
mod tests;
