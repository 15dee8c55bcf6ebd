//! Examples never rot: every tutorial stack builds.

use std::fs;

use crate::common::{Scratch, build_stack, workspace};

#[test]
fn every_example_stack_builds() {
    let mut found = 0;
    for entry in fs::read_dir(workspace().join("examples/stacks")).expect("examples/stacks") {
        let stack = entry.expect("entry").path().join("stack.kdl");
        if !stack.exists() {
            continue;
        }
        let out = Scratch::new();
        let relative = stack.strip_prefix(workspace()).expect("inside the workspace").to_string_lossy().into_owned();
        // build_stack names the output after the file stem; examples are all `stack.kdl`.
        let bundle = build_stack(&relative, out.path(), &[]);
        assert!(bundle.join("manifest.toml").exists(), "{relative}");
        found += 1;
    }
    assert!(found >= 2, "expected the tutorial stacks, found {found}");
}
