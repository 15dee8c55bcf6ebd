//! A clone of the repository is all a user needs: nothing in it (code, tests, scripts, CI,
//! docs) names a path outside the repository.

use stackc_tidy::source_files;

/// Directories that sit beside a checkout on some machines and never on a user's (split, so
/// that this file does not name them itself).
const OUTSIDE_NAMES: [&str; 2] = [concat!("..", "/shared"), concat!("shared", "/charts")];

#[test]
fn no_file_names_a_path_above_the_repository_root() {
    let mut offences = Vec::new();
    for file in source_files() {
        for (number, line) in file.text.lines().enumerate() {
            for name in OUTSIDE_NAMES {
                if line.contains(name) {
                    offences.push(format!("{}:{}: names `{name}`: {}", file.path, number + 1, line.trim()));
                }
            }
            // A relative path that climbs more directories than the file is deep leaves the
            // repository (paths in this repository are written relative to the file that holds
            // them, or to a directory at least as deep).
            if let Some(climb) = longest_climb(line)
                && climb > file.depth()
            {
                offences.push(format!(
                    "{}:{}: climbs {climb} directories from a file {} deep: {}",
                    file.path,
                    number + 1,
                    file.depth(),
                    line.trim()
                ));
            }
        }
    }
    assert!(offences.is_empty(), "paths outside the repository:\n{}", offences.join("\n"));
}

/// The most `../` segments in one run on the line.
fn longest_climb(line: &str) -> Option<usize> {
    let mut longest = None;
    let mut rest = line;
    while let Some(start) = rest.find("../") {
        let run = &rest[start..];
        let count = run.as_bytes().chunks(3).take_while(|chunk| *chunk == b"../").count();
        longest = longest.max(Some(count));
        rest = &run[count * 3..];
    }
    longest
}

#[test]
fn the_climb_counter_counts_runs() {
    assert_eq!(longest_climb("no path"), None);
    let up = |n: usize| "../".repeat(n);
    assert_eq!(longest_climb(&format!(r#"include_str!("{}rust-toolchain.toml")"#, up(3))), Some(3));
    assert_eq!(longest_climb(&format!("a {}b {}c", up(1), up(2))), Some(2));
}

#[test]
fn the_check_sees_this_repository() {
    let files = source_files();
    for expected in ["README.md", "Cargo.toml", "scripts/test.sh", "compiler/ARCHITECTURE.md"] {
        assert!(files.iter().any(|f| f.path == expected), "{expected} is not among the checked files");
    }
    assert!(!files.iter().any(|f| f.path.starts_with("target/")), "build output is not checked");
}
