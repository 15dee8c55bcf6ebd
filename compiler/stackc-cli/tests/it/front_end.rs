//! The front end given hostile input: nesting that would overflow the parser's stack, files
//! and strings far over any stack's size, a device and a FIFO as the stack file. Each is
//! refused with a diagnostic naming the file, exit 1, within 2 s and 200 MB, for `check` and
//! `build` alike, and nothing is written. Inputs are generated; none is committed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{Scratch, render, stackc};

const TIME_LIMIT: Duration = Duration::from_secs(2);
const MEMORY_LIMIT_KB: u64 = 200 * 1024;

/// Runs `stackc check FILE` and `stackc build FILE --out out` in `dir` under GNU time; both
/// must fail with exit 1, name `file` and say `expected`, in time and memory, writing nothing.
fn refused(dir: &Path, file: &str, expected: &str) {
    refused_naming(dir, file, file, expected);
}

/// As [`refused`], for a problem in the file `names` rather than in `file` itself.
fn refused_naming(dir: &Path, file: &str, names: &str, expected: &str) {
    for args in [vec!["check", file], vec!["build", file, "--out", "out"]] {
        let program = stackc().get_program().to_owned();
        let start = Instant::now();
        let output = Command::new("/usr/bin/time")
            .args(["-f", "peak-rss-kb %M"])
            .arg(&program)
            .args(&args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("run stackc under /usr/bin/time (scripts/setup.sh installs it)");
        let elapsed = start.elapsed();
        let text = render(&output, &[]);
        assert_eq!(output.status.code(), Some(1), "`stackc {}`:\n{text}", args.join(" "));
        assert!(text.contains(expected), "`stackc {}` does not say {expected:?}:\n{text}", args.join(" "));
        assert!(text.contains(names), "the diagnostic names `{names}`:\n{text}");
        assert!(elapsed < TIME_LIMIT, "`stackc {}` took {elapsed:?}", args.join(" "));
        let peak: u64 = String::from_utf8_lossy(&output.stderr)
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("peak-rss-kb ")?.trim().parse().ok())
            .expect("GNU time's line");
        assert!(peak < MEMORY_LIMIT_KB, "`stackc {}` peaked at {peak} KB", args.join(" "));
        assert!(!dir.join("out").exists(), "`stackc {}` wrote out/", args.join(" "));
    }
}

#[test]
fn ten_thousand_nested_blocks_are_a_diagnostic_not_a_stack_overflow() {
    let scratch = Scratch::new();
    let text = format!("stack \"deep\"\n{}{}", "a {".repeat(10_000), "}".repeat(10_000));
    scratch.write("blocks.kdl", &text);
    refused(scratch.path(), "blocks.kdl", "nest more than 64 deep");
    // Unbalanced, so that `kdl`'s parser would be the one to read it.
    scratch.write("open.kdl", &"a {\n".repeat(10_000));
    refused(scratch.path(), "open.kdl", "nest more than 64 deep");
    scratch.write("comments.kdl", &format!("stack \"deep\"\n{}{}", "/*".repeat(10_000), "*/".repeat(10_000)));
    refused(scratch.path(), "comments.kdl", "nest more than 64 deep");
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_being_read() {
    let scratch = Scratch::new();
    let line = "host \"h\" address=\"10.0.0.1\"\n";
    scratch.write("huge.kdl", &format!("stack \"huge\"\n{}", line.repeat(50 * 1024 * 1024 / line.len())));
    refused(scratch.path(), "huge.kdl", "over the limit of 16777216 bytes");
    // One 20 MB string is over the file limit too.
    scratch.write("string.kdl", &format!("stack \"s\"\nhost \"h\" address=\"{}\"\n", "x".repeat(20 << 20)));
    refused(scratch.path(), "string.kdl", "over the limit of 16777216 bytes");
    // Under the file limit, over the string limit.
    scratch.write("long.kdl", &format!("stack \"s\"\nhost \"h\" address=\"{}\"\n", "x".repeat(4 << 20)));
    refused(scratch.path(), "long.kdl", "a string is longer than the limit of 1048576 bytes");
}

#[test]
fn a_device_or_a_fifo_as_the_stack_file_is_refused_at_once() {
    let scratch = Scratch::new();
    refused(scratch.path(), "/dev/zero", "not a regular file");
    let status = Command::new("mkfifo").arg(scratch.path().join("pipe.kdl")).status().expect("mkfifo");
    assert!(status.success());
    refused(scratch.path(), "pipe.kdl", "not a regular file");
    std::fs::create_dir(scratch.path().join("dir.kdl")).expect("mkdir");
    refused(scratch.path(), "dir.kdl", "not a regular file");
}

#[test]
fn an_include_over_a_limit_is_refused_at_the_include() {
    let scratch = Scratch::new();
    scratch.write("root.kdl", "stack \"r\"\ninclude \"deep.kdl\"\n");
    scratch.write("deep.kdl", &format!("{}{}", "a {".repeat(1_000), "}".repeat(1_000)));
    refused_naming(scratch.path(), "root.kdl", "deep.kdl", "nest more than 64 deep");
    scratch.write("root.kdl", "stack \"r\"\ninclude \"/dev/zero\"\n");
    refused_naming(scratch.path(), "root.kdl", "included here", "not a regular file");
}
