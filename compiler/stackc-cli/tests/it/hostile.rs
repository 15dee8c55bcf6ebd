//! The hostile-plugin suite, end to end: a stack declares the `hostile` test plugin (or a
//! component the sandbox must refuse) by path and sha256, as any third-party plugin, and
//! `stackc build` runs it. Every misbehaviour must end in a diagnostic naming the plugin and
//! the service, exit status 1, nothing written anywhere (the previous bundle intact, no file
//! outside `out/`), in bounded time.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use stackc_test_plugins::{HOSTILE, wasi_component, wit_version_component};

use crate::common::{Scratch, sha256_hex, tree, with_custom_section};

/// A project with the components under `plugins/` and a compile cache of its own.
fn project() -> Scratch {
    let scratch = Scratch::new();
    std::fs::create_dir_all(scratch.path().join("plugins")).expect("mkdir");
    std::fs::write(scratch.path().join("plugins/hostile.wasm"), HOSTILE).expect("write");
    std::fs::write(scratch.path().join("plugins/wasi.wasm"), wasi_component()).expect("write");
    std::fs::write(scratch.path().join("plugins/other-wit.wasm"), wit_version_component()).expect("write");
    std::fs::write(scratch.path().join("plugins/tampered.wasm"), with_custom_section(HOSTILE, b"tampered"))
        .expect("write");
    scratch
}

/// The stack: plugin `hostile` from `file`, pinned to `sha256`, and service `victim` doing
/// `behaviour`.
fn stack(file: &str, sha256: &str, behaviour: &str) -> String {
    format!(
        r#"stack "sandbox"

plugin "hostile" path="plugins/{file}" sha256="{sha256}"

host "h1" address="127.0.0.1"

service "victim" plugin="hostile" on="h1" {{
    behaviour "{behaviour}"
}}
"#
    )
}

/// Runs `stackc build` in the project and returns (exit code, stderr, time taken).
fn build(scratch: &Scratch) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let output = scratch
        .stackc(&["build", "stack.kdl"])
        .env("XDG_CACHE_HOME", scratch.path().join("cache"))
        .output()
        .expect("run stackc");
    let time = start.elapsed();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned(), time)
}

#[test]
fn every_misbehaviour_is_a_diagnostic_and_writes_nothing() {
    let scratch = project();
    let pinned = sha256_hex(HOSTILE);
    scratch.write("stack.kdl", &stack("hostile.wasm", &pinned, "ok"));
    let (status, stderr, _) = build(&scratch);
    assert_eq!(status, Some(0), "the well-behaved build failed:\n{stderr}");
    let good_stack = std::fs::read(scratch.path().join("stack.kdl")).expect("read");
    let before = tree(scratch.path());
    assert!(before.iter().any(|(path, _)| path == "out/sandbox/current"), "no bundle");

    let cases: Vec<(&str, String, &str)> = [
        "loop",
        "oom",
        "recurse",
        "recurse-large-frames",
        "panic",
        "dotdot-path",
        "relative-path",
        "nul-path",
        "backslash-path",
        "duplicate-path",
        "absolute-bundle-path",
        "dotdot-bundle-path",
        "huge-output",
        "big-output",
    ]
    .into_iter()
    .map(|behaviour| (behaviour, stack("hostile.wasm", &pinned, behaviour), "stackc::plugin::"))
    .chain([
        ("wasi-import", stack("wasi.wasm", &sha256_hex(&wasi_component()), "ok"), "stackc::plugin::load"),
        (
            "other-wit-version",
            stack("other-wit.wasm", &sha256_hex(&wit_version_component()), "ok"),
            "stackc::plugin::load",
        ),
        ("tampered-after-locking", stack("tampered.wasm", &pinned, "ok"), "stackc::plugin::digest-mismatch"),
    ])
    .collect();

    let mut report = String::new();
    for (case, text, code) in &cases {
        scratch.write("stack.kdl", text);
        let (status, stderr, time) = build(&scratch);
        assert_eq!(status, Some(1), "{case}: exit status\n{stderr}");
        assert!(stderr.contains(code), "{case}: no `{code}` diagnostic\n{stderr}");
        assert!(stderr.contains("`hostile`"), "{case}: the plugin is not named\n{stderr}");
        assert!(stderr.contains("`victim`"), "{case}: the service is not named\n{stderr}");
        std::fs::write(scratch.path().join("stack.kdl"), &good_stack).expect("restore the stack");
        assert!(tree(scratch.path()) == before, "{case}: files were written or the previous bundle changed");
        if *case == "loop" {
            assert!(time < Duration::from_secs(2), "the endless loop took {time:?} to stop");
        }
        let first_line = stderr.lines().find(|l| l.contains("×")).unwrap_or("").trim();
        writeln!(report, "{case}: {first_line}").expect("write");
    }
    let masked = regex::Regex::new("[0-9a-f]{64}").expect("regex").replace_all(&report, "[SHA256]").into_owned();
    insta::assert_snapshot!(masked);
}

#[test]
fn a_tampered_component_shows_the_expected_and_actual_digest() {
    let scratch = project();
    let pinned = sha256_hex(HOSTILE);
    let actual = sha256_hex(&with_custom_section(HOSTILE, b"tampered"));
    scratch.write("stack.kdl", &stack("tampered.wasm", &pinned, "ok"));
    let (status, stderr, _) = build(&scratch);
    assert_eq!(status, Some(1));
    assert!(stderr.contains(&format!("expected {pinned}")), "{stderr}");
    assert!(stderr.contains(&format!("actual sha256 {actual}")), "{stderr}");
    assert!(!scratch.path().join("out").exists() && !scratch.path().join("stackc.lock").exists(), "wrote something");
    let masked = regex::Regex::new("[0-9a-f]{64}").expect("regex").replace_all(&stderr, "[SHA256]").into_owned();
    insta::assert_snapshot!(masked);
}
