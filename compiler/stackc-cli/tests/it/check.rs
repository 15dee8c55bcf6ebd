//! `stackc check` of several stacks, and `-q`.

use crate::common::{Scratch, outcome};

const GOOD: &str =
    "stack \"good\"\nhost \"web1\" address=\"10.0.0.1\"\nservice \"site\" plugin=\"nginx\" on=\"web1\"\n";

#[test]
fn several_stacks_are_checked_each_and_the_worst_outcome_is_the_status() {
    let scratch = Scratch::new();
    scratch.write("a.kdl", GOOD);
    scratch.write("b.kdl", &GOOD.replace("good", "broken").replace("nginx", "ngnix"));
    scratch.write("c.kdl", &GOOD.replace("good", "other"));
    let text = outcome(&mut scratch.stackc(&["check", "a.kdl", "b.kdl", "c.kdl"]), &[]);
    assert!(text.starts_with("exit: 1\n"), "{text}");
    assert!(text.contains("stack `good` is valid: 1 service, "), "{text}");
    assert!(text.contains("stack `other` is valid: 1 service, "), "checked after the broken one: {text}");
    assert!(text.contains("unknown plugin `ngnix`"), "{text}");

    let text = outcome(&mut scratch.stackc(&["check", "missing.kdl", "a.kdl"]), &[]);
    assert!(text.starts_with("exit: 1\n"), "{text}");
    assert!(text.contains("cannot read `missing.kdl`") && text.contains("stack `good` is valid"), "{text}");
}

#[test]
fn quiet_prints_only_errors() {
    let scratch = Scratch::new();
    scratch.write("a.kdl", GOOD);
    for args in [&["-q", "check", "a.kdl"][..], &["build", "a.kdl", "--quiet"], &["build", "-q", "a.kdl"]] {
        let output = scratch.stackc(args).output().expect("run");
        assert!(output.status.success(), "{args:?}");
        assert!(output.stdout.is_empty() && output.stderr.is_empty(), "{args:?}");
    }
    assert!(scratch.path().join("out/good/current/manifest.toml").is_file(), "quiet, not idle");
    scratch.write("b.kdl", &GOOD.replace("nginx", "ngnix"));
    let text = outcome(&mut scratch.stackc(&["-q", "check", "b.kdl"]), &[]);
    assert!(text.starts_with("exit: 1\n----- stdout -----\n----- stderr -----\n"), "{text}");
    assert!(text.contains("unknown plugin `ngnix`"), "{text}");
}

/// Only `build` writes, so only `build` says that it wrote nothing.
#[test]
fn only_build_says_nothing_was_written() {
    let scratch = Scratch::new();
    scratch.write("a.kdl", GOOD);
    scratch.write("b.kdl", &GOOD.replace("nginx", "ngnix"));
    let build = outcome(&mut scratch.stackc(&["build", "b.kdl"]), &[]);
    assert!(build.ends_with("error: 1 error found; nothing was written\n"), "{build}");
    for args in [&["check", "b.kdl"][..], &["diff", "a.kdl", "b.kdl"], &["render", "b.kdl"], &["graph", "b.kdl"]] {
        let text = outcome(&mut scratch.stackc(args), &[]);
        assert!(text.contains("error: 1 error found\n"), "{args:?}: {text}");
        assert!(!text.contains("nothing was written"), "{args:?}: {text}");
    }
}
