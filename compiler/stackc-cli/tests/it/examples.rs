//! Examples never rot: every tutorial stack builds, and the example plugin is what the
//! scaffold writes.

use std::fs;

use crate::common::{Scratch, build_hello_plugin, build_stack, files_under, workspace};

#[test]
fn every_example_stack_builds() {
    // `03-hello-plugin` uses the example plugin, pinned by digest.
    build_hello_plugin();
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
    assert!(found >= 3, "expected the tutorial stacks, found {found}");
}

#[test]
fn the_hello_plugin_example_is_exactly_what_the_scaffold_writes() {
    let scratch = Scratch::new();
    // An SDK at the same place relative to the new crate as in the repository, so that the
    // scaffold writes the same relative dependency path.
    scratch.write("plugins/stackc-plugin-sdk/Cargo.toml", "[package]\n");
    let output = scratch
        .stackc(&[
            "plugin",
            "new",
            "hello",
            "--path",
            "examples/plugins/hello-plugin",
            "--sdk",
            "plugins/stackc-plugin-sdk",
        ])
        .output()
        .expect("run stackc");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let fresh = scratch.path().join("examples/plugins/hello-plugin");
    let example = workspace().join("examples/plugins/hello-plugin");
    // `target/` is cargo's output (ignored by git).
    let written = files_under(&fresh, &[]);
    assert_eq!(files_under(&example, &["target"]), written, "the example has other files");
    for file in &written {
        let (a, b) = (
            fs::read_to_string(fresh.join(file)).expect("read"),
            fs::read_to_string(example.join(file)).expect("read"),
        );
        assert_eq!(a, b, "examples/plugins/hello-plugin/{file} differs from what `stackc plugin new` writes");
    }
    assert!(written.contains(&"src/lib.rs".to_owned()) && written.contains(&"README.md".to_owned()), "{written:?}");
}
