//! Signatures made here are checked by `ssh-keygen`, and the other way round.

use std::path::Path;
use std::process::Command;

use super::*;

struct Keypair {
    private: String,
    public: String,
}

fn keygen(dir: &Path, name: &str, kind: &str) -> Keypair {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", &format!("{name}@example.org"), "-f"])
        .arg(&path)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
    Keypair {
        private: std::fs::read_to_string(&path).unwrap(),
        public: std::fs::read_to_string(path.with_extension("pub")).unwrap(),
    }
}

fn ssh_keygen_sign(dir: &Path, key: &str, namespace: &str, message: &[u8]) -> Vec<u8> {
    let file = dir.join("component.wasm");
    std::fs::write(&file, message).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
        .arg(dir.join(key))
        .arg(&file)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
    std::fs::read(dir.join("component.wasm.sig")).unwrap()
}

const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0 a component";

#[test]
fn a_signature_by_a_trusted_key_verifies_and_names_its_signer() {
    let dir = tempfile::tempdir().unwrap();
    let alice = keygen(dir.path(), "alice", "ed25519");
    let signature = sign(&alice.private, COMPONENT).unwrap();
    let trusted = [TrustedKey::parse(&alice.public).unwrap()];
    let signer = verify(signature.as_bytes(), COMPONENT, &trusted).unwrap();
    assert_eq!(signer.fingerprint, trusted[0].fingerprint());
    assert!(signer.fingerprint.starts_with("SHA256:"));
    assert_eq!(signer.comment, "alice@example.org");
    let found = signed_by(signature.as_bytes(), COMPONENT).unwrap();
    assert_eq!(found.fingerprint, signer.fingerprint);
    assert!(alice.public.starts_with(&found.public_key), "{} is not {}", found.public_key, alice.public);
    assert_eq!(public_key_of(&alice.private).unwrap(), alice.public.trim());
    // Ed25519 signatures are deterministic: publishing the same component twice signs it alike.
    assert_eq!(sign(&alice.private, COMPONENT).unwrap(), signature);
}

#[test]
fn ssh_keygen_accepts_our_signatures_and_we_accept_its() {
    let dir = tempfile::tempdir().unwrap();
    let alice = keygen(dir.path(), "alice", "ed25519");
    let ours = sign(&alice.private, COMPONENT).unwrap();
    let sig_file = dir.path().join("ours.sig");
    std::fs::write(&sig_file, &ours).unwrap();
    let check = |message: &[u8]| {
        let mut child = Command::new("ssh-keygen")
            .args(["-q", "-Y", "check-novalidate", "-n", NAMESPACE, "-s"])
            .arg(&sig_file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(message).unwrap();
        child.wait().unwrap().success()
    };
    assert!(check(COMPONENT), "ssh-keygen refuses a signature stackc made");
    assert!(!check(b"other bytes"), "ssh-keygen accepts the signature for other bytes");

    let theirs = ssh_keygen_sign(dir.path(), "alice", NAMESPACE, COMPONENT);
    let trusted = [TrustedKey::parse(&alice.public).unwrap()];
    assert_eq!(verify(&theirs, COMPONENT, &trusted).unwrap().comment, "alice@example.org");
}

#[test]
fn other_bytes_another_key_or_another_namespace_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let alice = keygen(dir.path(), "alice", "ed25519");
    let mallory = keygen(dir.path(), "mallory", "ed25519");
    let trusted = [TrustedKey::parse(&alice.public).unwrap()];
    let mallory_fingerprint = TrustedKey::parse(&mallory.public).unwrap().fingerprint();

    let by_alice = sign(&alice.private, COMPONENT).unwrap();
    assert!(matches!(
        verify(by_alice.as_bytes(), b"a component with a backdoor", &trusted),
        Err(SignatureError::DoesNotVerify { .. })
    ));

    let by_mallory = sign(&mallory.private, COMPONENT).unwrap();
    assert_eq!(
        verify(by_mallory.as_bytes(), COMPONENT, &trusted),
        Err(SignatureError::Untrusted { fingerprint: mallory_fingerprint })
    );

    let for_git = ssh_keygen_sign(dir.path(), "alice", "git", COMPONENT);
    assert_eq!(verify(&for_git, COMPONENT, &trusted), Err(SignatureError::WrongNamespace("git".to_owned())));

    assert!(matches!(verify(b"not a signature", COMPONENT, &trusted), Err(SignatureError::Malformed(_))));
}

#[test]
fn keys_other_than_ed25519_and_bad_key_text_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ecdsa = keygen(dir.path(), "ecdsa", "ecdsa");
    assert!(matches!(TrustedKey::parse(&ecdsa.public), Err(SignatureError::UnsupportedKey(_))));
    // Without the ECDSA algorithms compiled in, such a key does not even parse.
    let refused = sign(&ecdsa.private, COMPONENT).unwrap_err();
    assert!(matches!(refused, SignatureError::BadPrivateKey(_) | SignatureError::UnsupportedKey(_)), "{refused}");
    assert!(matches!(TrustedKey::parse("ssh-ed25519 not-base64"), Err(SignatureError::BadPublicKey(_))));
    assert!(matches!(sign("-----BEGIN NOTHING-----", COMPONENT), Err(SignatureError::BadPrivateKey(_))));
}
