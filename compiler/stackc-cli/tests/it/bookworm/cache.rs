//! What is slow to make and the same for every run, made once and kept under the test target
//! directory: a Debian bookworm root (debootstrap) and a package repository of the `.deb` files
//! the plays install.
//!
//! Each is made in a `.partial` directory and renamed into place when complete, under a lock
//! file, so that tests in parallel (threads or processes) make it once and an interrupted run
//! leaves nothing that looks finished.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{render, run, sha256_hex, tool};

/// Where the cache lives: `target/tmp/bookworm`.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("bookworm")
}

/// The Debian mirror debootstrap and apt fetch from.
const MIRROR: &str = "http://deb.debian.org/debian";

/// What every machine has before a playbook runs: systemd as init, an SSH server Ansible logs in
/// through, Python with apt's bindings for Ansible's modules, sudo for `become`, and
/// apt-ftparchive, which indexes the local repository.
const BASE_PACKAGES: &[&str] =
    &["systemd", "systemd-sysv", "dbus", "openssh-server", "sudo", "python3", "python3-apt", "iproute2", "apt-utils"];

/// The bookworm root every machine starts from (read-only: machines write to an overlay).
pub fn base_root() -> PathBuf {
    let key = sha256_hex(format!("bookworm minbase {MIRROR} {}", BASE_PACKAGES.join(",")).as_bytes());
    made_once(&format!("base-{}", &key[..12]), |root| {
        let output = run(Command::new(tool("debootstrap"))
            .args(["--variant=minbase", &format!("--include={}", BASE_PACKAGES.join(",")), "bookworm"])
            .arg(root)
            .arg(MIRROR));
        assert!(output.status.success(), "debootstrap failed:\n{}", render(&output, &[]));
    })
}

/// A flat apt repository (`Packages` beside the `.deb` files) holding `packages` and what they
/// depend on beyond the base root, fetched from the mirror by apt inside a throwaway overlay of
/// the base root.
pub fn repository(packages: &[String]) -> PathBuf {
    let base = base_root();
    let key = sha256_hex(format!("{}\n{}", base.display(), packages.join("\n")).as_bytes());
    made_once(&format!("repo-{}", &key[..12]), |repo| {
        let script = format!(
            "set -e; apt-get update -qq; apt-get install -qq -y --download-only {}; \
             cd /var/cache/apt/archives; rm -rf lock partial; apt-ftparchive packages . > Packages",
            packages.join(" ")
        );
        let output = run(Command::new(tool("systemd-nspawn"))
            .args(["--quiet", "--register=no", "--keep-unit", "--volatile=overlay", "-D"])
            .arg(&base)
            .arg(format!("--bind={}:/var/cache/apt/archives", repo.display()))
            .args(["sh", "-c", &script]));
        assert!(output.status.success(), "fetching {packages:?} failed:\n{}", render(&output, &[]));
    })
}

/// `dir()/name`, made by `make` (into an empty directory) unless it is there already.
fn made_once(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = dir();
    fs::create_dir_all(&dir).expect("cache directory");
    let done = dir.join(name);
    let lock = File::create(dir.join(format!("{name}.lock"))).expect("lock file");
    lock.lock().expect("lock the cache");
    if !done.exists() {
        let partial = dir.join(format!("{name}.partial"));
        if partial.exists() {
            fs::remove_dir_all(&partial).expect("remove an unfinished attempt");
        }
        fs::create_dir(&partial).expect("partial directory");
        make(&partial);
        fs::rename(&partial, &done).expect("move into place");
    }
    done
}
