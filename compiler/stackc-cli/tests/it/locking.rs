//! `stackc.lock`, `--locked` and the compile cache, with a third-party component declared
//! by path and sha256.

use std::path::PathBuf;

use stackc_test_plugins::HOSTILE;

use crate::common::{Scratch, sha256_hex, tree, with_custom_section};

const STACK: &str = r#"stack "locked"

plugin "hostile" path="plugins/hostile.wasm" sha256="SHA256"

host "h1" address="127.0.0.1"

service "victim" plugin="hostile" on="h1" {
    behaviour "ok"
}

service "web" plugin="nginx" on="h1"
"#;

struct Project {
    scratch: Scratch,
    /// The compile cache, outside the project like the user's `~/.cache`.
    cache: Scratch,
}

impl Project {
    fn new(component: &[u8]) -> Project {
        let project = Project { scratch: Scratch::new(), cache: Scratch::new() };
        project.use_component(component);
        project
    }

    /// Puts `component` in place and pins it in the stack.
    fn use_component(&self, component: &[u8]) {
        self.scratch.write("stack.kdl", &STACK.replace("SHA256", &sha256_hex(component)));
        std::fs::create_dir_all(self.scratch.path().join("plugins")).expect("mkdir");
        std::fs::write(self.scratch.path().join("plugins/hostile.wasm"), component).expect("write");
    }

    fn cache(&self) -> PathBuf {
        self.cache.path().join("xdg")
    }

    /// `stackc build stack.kdl ARGS`: (success, stdout, stderr).
    fn build(&self, args: &[&str]) -> (bool, String, String) {
        let output = self
            .scratch
            .stackc(&[&["build", "stack.kdl"], args].concat())
            .env("XDG_CACHE_HOME", self.cache())
            .output()
            .expect("run stackc");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        (output.status.success(), stdout, stderr)
    }

    fn lock(&self) -> String {
        std::fs::read_to_string(self.scratch.path().join("stackc.lock")).expect("stackc.lock")
    }

    /// The compile cache's one entry.
    fn cache_entry(&self) -> PathBuf {
        let dir = self.cache().join("stackc/precompiled");
        let entries: Vec<PathBuf> =
            std::fs::read_dir(&dir).expect("cache dir").map(|e| e.expect("entry").path()).collect();
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries.into_iter().next().expect("one entry")
    }
}

#[test]
fn the_lockfile_records_every_plugin_and_locked_refuses_changes() {
    let project = Project::new(HOSTILE);
    let (ok, stdout, stderr) = project.build(&["--locked"]);
    assert!(!ok, "--locked without a lockfile succeeded:\n{stdout}");
    assert!(stderr.contains("`stackc.lock` does not exist"), "{stderr}");

    let (ok, stdout, stderr) = project.build(&[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("lock   stackc.lock (written)"), "{stdout}");
    let lock = project.lock();
    assert!(lock.contains(&format!("sha256 = \"{}\"", sha256_hex(HOSTILE))), "{lock}");
    assert!(lock.contains("source = \"file:plugins/hostile.wasm\""), "{lock}");
    assert!(lock.contains("name = \"nginx\"") && lock.contains("source = \"builtin\""), "built-ins too:\n{lock}");

    let (ok, stdout, stderr) = project.build(&["--locked"]);
    assert!(ok, "--locked on an unchanged project failed:\n{stderr}");
    assert!(!stdout.contains("lock "), "{stdout}");

    // The plugin is rebuilt (other bytes) and pinned anew: the lockfile would change.
    let rebuilt = with_custom_section(HOSTILE, b"rebuilt");
    project.use_component(&rebuilt);
    let before = tree(project.scratch.path());
    let (ok, _, stderr) = project.build(&["--locked"]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!("changed  hostile: sha256 {} → {}", sha256_hex(HOSTILE), sha256_hex(&rebuilt))),
        "{stderr}"
    );
    assert!(tree(project.scratch.path()) == before, "--locked wrote something");
    let masked = regex::Regex::new("[0-9a-f]{64}").expect("regex").replace_all(&stderr, "[SHA256]").into_owned();
    insta::assert_snapshot!(masked);

    let (ok, stdout, stderr) = project.build(&[]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("lock   stackc.lock (written)"), "{stdout}");
    assert!(project.lock().contains(&sha256_hex(&rebuilt)));
    assert!(project.build(&["--locked"]).0);
}

#[test]
fn the_second_build_loads_from_the_compile_cache_and_damaged_entries_are_rebuilt() {
    let project = Project::new(HOSTILE);
    let loaded = |stderr: &str| -> String {
        stderr
            .lines()
            .find(|l| l.starts_with("plugin hostile"))
            .map(|l| l.split_once("): ").map_or("", |(_, how)| how).to_owned())
            .unwrap_or_default()
    };
    let (ok, _, stderr) = project.build(&["--verbose"]);
    assert!(ok, "{stderr}");
    assert_eq!(loaded(&stderr), "compiled, saved to the compile cache", "{stderr}");
    assert!(stderr.contains("plugin nginx 0.1.0 (built in"), "{stderr}");

    let (ok, _, stderr) = project.build(&["--verbose"]);
    assert!(ok, "{stderr}");
    assert_eq!(loaded(&stderr), "loaded from the compile cache", "{stderr}");

    // A flipped bit: the entry is not trusted, the component compiled again, the entry rewritten.
    let entry = project.cache_entry();
    let mut bytes = std::fs::read(&entry).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(&entry, &bytes).expect("write");
    let (ok, _, stderr) = project.build(&["--verbose"]);
    assert!(ok, "{stderr}");
    assert_eq!(loaded(&stderr), "compiled again: the cache entry was corrupt (checksum mismatch)", "{stderr}");
    assert_eq!(loaded(&project.build(&["--verbose"]).2), "loaded from the compile cache");

    // Cut short, as by a full disk.
    std::fs::write(&entry, &std::fs::read(&entry).expect("read")[..30]).expect("write");
    let (ok, _, stderr) = project.build(&["--verbose"]);
    assert!(ok, "{stderr}");
    assert_eq!(loaded(&stderr), "compiled again: the cache entry was truncated", "{stderr}");
    assert_eq!(loaded(&project.build(&["--verbose"]).2), "loaded from the compile cache");

    // Another component digest is another entry.
    project.use_component(&with_custom_section(HOSTILE, b"other"));
    assert_eq!(loaded(&project.build(&["--verbose"]).2), "compiled, saved to the compile cache");
}

#[test]
fn builds_without_a_usable_cache_directory_still_work() {
    let project = Project::new(HOSTILE);
    // The cache "directory" is a file: entries cannot be written, builds go on.
    std::fs::write(project.cache(), "not a directory").expect("write");
    let (ok, _, stderr) = project.build(&["--verbose"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("plugin hostile 0.1.0") && stderr.contains("compiled (no compile cache)"), "{stderr}");
}
