//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// `stackc` with a clean environment: no colour, fixed width.
pub fn stackc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackc"));
    command.env("NO_COLOR", "1").env_remove("RAYON_NUM_THREADS");
    command
}

/// Runs a command and renders its outcome for a snapshot: exit code, stdout, stderr, with
/// `filters` applied (e.g. a temporary directory replaced by `[TMP]`).
pub fn outcome(command: &mut Command, filters: &[(&str, &str)]) -> String {
    let output = command.output().expect("run stackc");
    render(&output, filters)
}

pub fn render(output: &Output, filters: &[(&str, &str)]) -> String {
    let mut text = format!(
        "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output.status.code().map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    for (from, to) in filters {
        text = text.replace(from, to);
    }
    text
}

/// A scratch directory with stack files.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> &Self {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// `stackc ARGS` run inside the scratch directory.
    pub fn stackc(&self, args: &[&str]) -> Command {
        let mut command = stackc();
        command.current_dir(self.path()).args(args);
        command
    }
}

/// Builds a stack of the repository into `out` and returns the bundle directory. `--locked`:
/// the committed `stackc.lock` beside the stack must be up to date, and is never rewritten.
pub fn build_stack(stack: &str, out: &Path, extra: &[&str]) -> PathBuf {
    let output = stackc()
        .current_dir(workspace())
        .args(["build", "--locked", stack, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run stackc");
    assert!(output.status.success(), "stackc build {stack} failed:\n{}", render(&output, &[]));
    // The summary's last line names the bundle: `bundle <dir> (written)`.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("bundle ")).expect("a `bundle` line");
    let dir = line.rsplit_once(" (").map_or(line, |(dir, _)| dir);
    std::fs::canonicalize(workspace().join(dir)).expect("bundle directory")
}

/// Finds a tool in the project's virtualenv (`.venv/bin`), `.tools/bin` or on PATH, panicking with a
/// clear message when the set-up script has not installed it.
pub fn tool(name: &str) -> PathBuf {
    for installed in [".venv/bin", ".tools/bin"] {
        let candidate = workspace().join(installed).join(name);
        if candidate.exists() {
            return candidate;
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")]) {
        let candidate = dir.join(name);
        if candidate.exists() {
            return candidate;
        }
    }
    panic!("`{name}` is not installed; run scripts/setup.sh");
}

/// Builds the example plugin `examples/plugins/hello-plugin` once per test run: the tutorial
/// stack `examples/stacks/03-hello-plugin` pins its sha256, so this also proves the build
/// reproducible.
pub fn build_hello_plugin() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let output = stackc()
            .current_dir(workspace())
            .args(["plugin", "build", "examples/plugins/hello-plugin"])
            .output()
            .expect("run stackc");
        assert!(output.status.success(), "stackc plugin build failed:\n{}", render(&output, &[]));
    });
}

/// Builds the example plugin written in C, `examples/plugins/motd-c`, once per test run, with
/// its own build script (clang, wit-bindgen and wasm-tools, which `scripts/setup.sh`
/// installs): `examples/stacks/05-c-plugin` pins its sha256.
pub fn build_c_plugin() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = workspace().join("examples/plugins/motd-c");
            let output = run(&mut Command::new(dir.join("build.sh")));
            assert!(output.status.success(), "examples/plugins/motd-c/build.sh failed:\n{}", render(&output, &[]));
            dir.join("target/stackc/motd.wasm")
        })
        .clone()
}

/// Every file under `dir`, relative and sorted, leaving out `skip` (names of files or
/// directories at any depth).
pub fn files_under(dir: &Path, skip: &[&str]) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, skip, out);
            } else {
                out.push(path.strip_prefix(root).expect("inside").to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, skip, &mut out);
    out.sort();
    out
}

/// Copies every file under `from` to the same place under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in files_under(from, &[]) {
        let target = to.join(&entry);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from.join(&entry), target).expect("copy");
    }
}

/// Every file under `dir` with its contents, sorted; a symbolic link as `-> target`, not
/// followed. Two trees compare equal when nothing under `dir` was written.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            let rel = path.strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
            let kind = std::fs::symlink_metadata(&path).expect("metadata").file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("read_link");
                out.push((rel, format!("-> {}", target.display()).into_bytes()));
            } else if kind.is_dir() {
                stack.push(path);
            } else {
                out.push((rel, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// sha256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    stackc_model::Sha256Digest::of(bytes).to_string()
}

/// `component` with a custom section appended: still a valid component, other bytes, so
/// another sha256. Stands in for a rebuilt plugin.
pub fn with_custom_section(component: &[u8], payload: &[u8]) -> Vec<u8> {
    let name = b"stackc-test";
    let size = 1 + name.len() + payload.len();
    assert!(size < 128, "one-byte LEB128 sizes only");
    let mut out = component.to_vec();
    out.extend_from_slice(&[0, u8::try_from(size).expect("small"), u8::try_from(name.len()).expect("small")]);
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    out
}

/// The language tour (`examples/stacks/04-language`), each file as its non-blank lines,
/// trimmed: the language reference's examples are excerpts of it.
pub struct Tour(Vec<Vec<String>>);

impl Tour {
    pub fn read() -> Self {
        let dir = workspace().join("examples/stacks/04-language");
        let files = ["stack.kdl", "modules/proxy.kdl", "values/prod.kdl"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(dir.join(f)).expect("a tour file");
                text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
            })
            .collect();
        Tour(files)
    }

    /// Whether `text`'s non-blank lines appear, in order and together, in a file of the tour.
    pub fn contains(&self, text: &str) -> bool {
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        !lines.is_empty()
            && self
                .0
                .iter()
                .any(|file| file.windows(lines.len()).any(|window| window.iter().zip(&lines).all(|(a, b)| a == b)))
    }
}

/// Runs `command` to completion, panicking when it cannot be started.
pub fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// PATH with the directory of `tool` first.
pub fn path_with(tool: &Path) -> std::ffi::OsString {
    let mut dirs = vec![tool.parent().expect("parent").to_owned()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("PATH")
}

/// A self-signed certificate and key for `server_name`, made by openssl in `dir`.
pub struct Cert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Cert {
    pub fn new(dir: &Path, server_name: &str) -> Self {
        let cert = Cert { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
        let output = run(Command::new(tool("openssl"))
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
            .args(["-days", "2", "-subj"])
            .arg(format!("/CN={server_name}"))
            .arg("-addext")
            .arg(format!("subjectAltName=DNS:{server_name}"))
            .arg("-keyout")
            .arg(&cert.key)
            .arg("-out")
            .arg(&cert.cert));
        assert!(output.status.success(), "openssl req failed:\n{}", render(&output, &[]));
        cert
    }
}

/// hadolint on `dockerfile`, failing on every finding down to style, with a configuration of
/// no exceptions (written in `dir`) so that none on the machine applies.
pub fn hadolint(dockerfile: &Path, dir: &Path) -> Output {
    let config = dir.join("hadolint.yaml");
    fs::write(&config, "ignored: []\n").expect("write hadolint config");
    run(Command::new(tool("hadolint"))
        .args(["--no-color", "--failure-threshold", "style", "--config"])
        .arg(&config)
        .arg(dockerfile))
}

/// Processes killed when the test ends, however it ends.
pub struct Children(pub Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
        }
        for child in &mut self.0 {
            let _ = child.wait();
        }
    }
}

/// Starts `command` with its output in the file `log`.
pub fn spawn(command: &mut Command, log: &Path) -> Child {
    let log = fs::File::create(log).expect("log file");
    command
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"))
}
