//! `stackc diff` (bundles, manifests, stacks at a git revision) and `stackc build --check`.

use std::path::Path;
use std::process::Command;

use crate::common::{Scratch, render, stackc, tool, workspace};

const STACK: &str = r#"stack "shop"
host "web1" address="10.0.0.1"
host "docs1" address="10.0.0.2"
host "proxy1" address="10.0.0.3"
service "site" plugin="nginx" on="web1" {
    files {
        "index.html" "hello\n"
    }
}
service "docs" plugin="nginx" on="docs1" {
    files {
        "index.html" "the manual, version 1\n"
    }
}
service "proxy" plugin="nginx" on="proxy1" {
    upstream "site" {
        servers (ref)"site.http"
    }
    location "/" {
        proxy "site"
    }
}
"#;

const BLOG: &str = r#"service "blog" plugin="nginx" on="docs1" {
    files {
        "index.html" "posts\n"
    }
}
"#;

/// Runs git in `dir`, failing the test if it fails.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("run git");
    assert!(output.status.success(), "git {args:?}:\n{}", render(&output, &[]));
}

/// A repository with two commits; the second changes the `docs` service only.
fn repository() -> Scratch {
    let scratch = Scratch::new();
    git(scratch.path(), &["init", "-q", "-b", "main"]);
    scratch.write("stack.kdl", STACK);
    git(scratch.path(), &["add", "stack.kdl"]);
    git(scratch.path(), &["commit", "-q", "-m", "first"]);
    scratch.write("stack.kdl", &STACK.replace("version 1", "version 2"));
    git(scratch.path(), &["commit", "-q", "-a", "-m", "second"]);
    scratch
}

fn code(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("run stackc");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(scratch: &Scratch, args: &[&str]) -> (i32, serde_json::Value) {
    let (status, stdout, stderr) = code(&mut scratch.stackc(args));
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (status, value)
}

/// `(name, change)` of every service in a JSON diff.
fn services(value: &serde_json::Value) -> Vec<(String, String)> {
    value["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["kind"] == "service")
        .map(|e| (e["name"].as_str().expect("name").to_owned(), e["change"].as_str().expect("change").to_owned()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn base_revision_reports_exactly_the_changed_service() {
    let scratch = repository();
    let (status, value) = json(&scratch, &["diff", "--base", "HEAD~1", "stack.kdl", "--format", "json"]);
    assert_eq!(status, 1, "different bundles exit 1");
    assert_eq!(services(&value), pairs(&[("docs", "changed"), ("proxy", "unchanged"), ("site", "unchanged")]));
    let docs = &value["entries"].as_array().expect("entries")[0];
    assert_eq!(docs["files"], serde_json::json!(["hosts/docs1/var/www/docs/index.html"]));
    assert_ne!(docs["old_digest"], docs["new_digest"]);
    let patch = value["patches"][0]["patch"].as_str().expect("a patch");
    assert!(patch.contains("-the manual, version 1\n+the manual, version 2\n"), "{patch}");
    assert_eq!(value["identical"], false);
}

#[test]
fn base_revision_leaves_the_work_tree_alone() {
    let scratch = repository();
    let before = std::fs::read_to_string(scratch.path().join("stack.kdl")).expect("stack");
    let (status, _, stderr) = code(&mut scratch.stackc(&["diff", "--base", "HEAD~1", "stack.kdl", "--stat"]));
    assert_eq!(status, 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(scratch.path().join("stack.kdl")).expect("stack"), before);
    let status = Command::new("git").current_dir(scratch.path()).args(["status", "--porcelain"]).output();
    assert_eq!(String::from_utf8_lossy(&status.expect("git status").stdout), "", "nothing was written");
}

#[test]
fn added_and_removed_services() {
    let scratch = repository();
    // Work tree: `docs` removed, `blog` added (on docs1, which stays).
    let without_docs = {
        let start = STACK.find("service \"docs\"").expect("docs");
        let end = STACK.find("service \"proxy\"").expect("proxy");
        format!("{}{}", &STACK[..start], &STACK[end..])
    };
    scratch.write("stack.kdl", &format!("{without_docs}{BLOG}"));
    let (status, value) = json(&scratch, &["diff", "--base", "HEAD", "stack.kdl", "--format", "json", "--stat"]);
    assert_eq!(status, 1);
    assert_eq!(
        services(&value),
        pairs(&[("blog", "added"), ("docs", "removed"), ("proxy", "unchanged"), ("site", "unchanged")])
    );
    assert!(value.get("patches").is_none(), "--stat has no patches");
}

#[test]
fn a_stack_new_since_the_base_is_all_added() {
    let scratch = repository();
    scratch.write("other.kdl", &STACK.replace("stack \"shop\"", "stack \"other\""));
    let (status, value) = json(&scratch, &["diff", "--base", "HEAD", "other.kdl", "--format", "json"]);
    assert_eq!(status, 1);
    assert_eq!(services(&value), pairs(&[("docs", "added"), ("proxy", "added"), ("site", "added")]));
    let patch = value["patches"][0]["patch"].as_str().expect("a patch");
    assert!(patch.starts_with("--- /dev/null\n"), "{patch}");
}

#[test]
fn markdown_report() {
    let scratch = repository();
    let (status, stdout, stderr) =
        code(&mut scratch.stackc(&["diff", "--base", "HEAD~1", "stack.kdl", "--format", "markdown"]));
    assert_eq!(status, 1, "{stderr}");
    insta::with_settings!({ filters => vec![(r"\b[0-9a-f]{12}\b", "[digest]")] }, {
        insta::assert_snapshot!("markdown_report", stdout);
    });
}

#[test]
fn exit_codes() {
    let scratch = repository();
    let (status, stdout, _) = code(&mut scratch.stackc(&["diff", "--base", "HEAD", "stack.kdl"]));
    assert_eq!(status, 0, "identical: {stdout}");
    assert!(stdout.contains("0 changed, 0 added, 0 removed, 4 unchanged"), "{stdout}");

    let (status, _, stderr) = code(&mut scratch.stackc(&["diff", "--base", "no-such-rev", "stack.kdl"]));
    assert_eq!(status, 2, "a bad revision is an error");
    assert!(stderr.contains("`no-such-rev` is not a commit"), "{stderr}");

    let (status, _, stderr) = code(&mut scratch.stackc(&["diff", "missing-a", "missing-b"]));
    assert_eq!(status, 2, "unreadable sides are an error: {stderr}");

    scratch.write("broken.kdl", "stack \"x\"\nservice \"a\" plugin=\"nope\"\n");
    let (status, _, _) = code(&mut scratch.stackc(&["diff", "stack.kdl", "broken.kdl"]));
    assert_eq!(status, 2, "a stack with errors is an error, not a difference");
}

#[test]
fn bundle_directories_and_manifests() {
    let scratch = repository();
    let build = |set: &str| {
        let (status, stdout, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--out", set]));
        assert_eq!(status, 0, "{stderr}");
        let line = stdout.lines().find_map(|l| l.strip_prefix("bundle ")).expect("bundle line").to_owned();
        line.rsplit_once(" (").map_or(line.clone(), |(dir, _)| dir.to_owned())
    };
    let new = build("new");
    git(scratch.path(), &["checkout", "-q", "HEAD~1", "--", "stack.kdl"]);
    let old = build("old");

    let (status, stdout, _) = code(&mut scratch.stackc(&["diff", &old, &new]));
    assert_eq!(status, 1);
    assert!(stdout.contains("+the manual, version 2"), "{stdout}");
    let (status, _, _) = code(&mut scratch.stackc(&["diff", &old, &old]));
    assert_eq!(status, 0);

    // Manifests only: the table, and a note instead of the patch.
    let manifests = [format!("{old}/manifest.toml"), format!("{new}/manifest.toml")];
    let (status, stdout, _) = code(&mut scratch.stackc(&["diff", &manifests[0], &manifests[1]]));
    assert_eq!(status, 1);
    assert!(stdout.contains("contents not available"), "{stdout}");
    // A stack file against a bundle directory.
    let (status, _, _) = code(&mut scratch.stackc(&["diff", "stack.kdl", &old]));
    assert_eq!(status, 0, "the checked-out stack builds to the old bundle");
}

#[test]
fn build_check_fails_on_a_change_until_the_record_is_updated() {
    let scratch = Scratch::new();
    scratch.write("stack.kdl", STACK);
    let (status, stdout, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--record"]));
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("record stack.digests.toml (written)"), "{stdout}");
    let (status, _, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--check"]));
    assert_eq!(status, 0, "{stderr}");

    scratch.write("stack.kdl", &STACK.replace("hello", "hello, world"));
    let (status, stdout, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--check"]));
    assert_eq!(status, 1, "a deliberate change fails the check");
    assert!(stdout.contains("changed    service  site"), "{stdout}");
    assert!(stdout.contains("  … 2 unchanged services and 1 unchanged target (`--verbose` lists them)"), "{stdout}");
    assert!(stderr.contains("stackc build --record stack.kdl"), "{stderr}");

    let (status, _, _) = code(&mut scratch.stackc(&["build", "stack.kdl", "--record"]));
    assert_eq!(status, 0);
    let (status, _, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--check"]));
    assert_eq!(status, 0, "the updated record passes: {stderr}");

    // A record is a side of `stackc diff` too: digests only.
    let (status, stdout, _) =
        code(&mut scratch.stackc(&["diff", "stack.digests.toml", "stack.kdl", "--format", "json"]));
    assert_eq!(status, 0, "{stdout}");
    scratch.write("stack.kdl", STACK);
    let (status, value) = json(&scratch, &["diff", "stack.digests.toml", "stack.kdl", "--format", "json"]);
    assert_eq!(status, 1);
    assert_eq!(services(&value), pairs(&[("docs", "unchanged"), ("proxy", "unchanged"), ("site", "changed")]));

    std::fs::remove_file(scratch.path().join("stack.digests.toml")).expect("remove");
    let (status, _, stderr) = code(&mut scratch.stackc(&["build", "stack.kdl", "--check"]));
    assert_eq!(status, 2, "a missing record is an error: {stderr}");
}

/// Every stack under `stacks/` builds to the digests committed beside it, with the plugins
/// its `stackc.lock` pins: a change of outputs must come with an updated
/// `stacks/<stack>.digests.toml`, a change of plugin bytes with an updated lockfile.
#[test]
fn committed_stacks_match_their_digest_records_and_lockfile() {
    let stacks = workspace().join("stacks");
    let mut names: Vec<String> = std::fs::read_dir(&stacks)
        .expect("stacks/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kdl"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failures = Vec::new();
    for name in names {
        let output = stackc()
            .current_dir(workspace())
            .args(["build", &format!("stacks/{name}"), "--check", "--locked"])
            .output()
            .expect("run stackc");
        if !output.status.success() {
            failures.push(render(&output, &[]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Included files come from the revision too, also when stackc runs in a subdirectory.
#[test]
fn base_revision_reads_includes_from_git() {
    let scratch = Scratch::new();
    git(scratch.path(), &["init", "-q", "-b", "main"]);
    scratch.write("stack.kdl", &STACK.replace("host \"web1\" address=\"10.0.0.1\"\n", "include \"inc/web.kdl\"\n"));
    scratch.write("inc/web.kdl", "host \"web1\" address=\"10.0.0.1\"\n");
    scratch.write("sub/.keep", "");
    git(scratch.path(), &["add", "."]);
    git(scratch.path(), &["commit", "-q", "-m", "first"]);
    scratch.write("inc/web.kdl", "host \"web1\" address=\"10.0.0.9\"\n");
    let (status, value) = {
        let output = stackc()
            .current_dir(scratch.path().join("sub"))
            .args(["diff", "--base", "HEAD", "../stack.kdl", "--format", "json", "--stat"])
            .output()
            .expect("run stackc");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let value: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code(), value)
    };
    assert_eq!(status, Some(1));
    // The site listens on its host's address and the proxy reaches it there; docs is elsewhere.
    assert_eq!(services(&value), pairs(&[("docs", "unchanged"), ("proxy", "changed"), ("site", "changed")]));
}

/// `(file)` values come from the revision too: a page changed in the work tree changes only the
/// service that reads it.
#[test]
fn base_revision_reads_file_values_from_git() {
    let scratch = Scratch::new();
    git(scratch.path(), &["init", "-q", "-b", "main"]);
    scratch.write(
        "stack.kdl",
        "stack \"pages\"\nhost \"web1\" address=\"10.0.0.1\"\n\
         service \"site\" plugin=\"nginx\" on=\"web1\" {\n    listen 80\n    files (file)\"pages\"\n}\n\
         service \"other\" plugin=\"nginx\" on=\"web1\" {\n    listen 81\n    files {\n        \"a.html\" \"a\"\n    }\n}\n",
    );
    scratch.write("pages/index.html", "<h1>first</h1>\n");
    git(scratch.path(), &["add", "."]);
    git(scratch.path(), &["commit", "-q", "-m", "first"]);
    scratch.write("pages/index.html", "<h1>second</h1>\n");
    let (status, value) = json(&scratch, &["diff", "--base", "HEAD", "stack.kdl", "--format", "json", "--stat"]);
    assert_eq!(status, 1);
    let changed: Vec<(String, String)> = services(&value).into_iter().filter(|(_, c)| c != "unchanged").collect();
    assert_eq!(changed, pairs(&[("site", "changed")]));
}

/// `scripts/gen_stack.py N`: static sites `siteI` and, every fifth, a TLS proxy `proxyI`.
fn generated_stack(n: usize) -> String {
    let output = Command::new(tool("python3"))
        .arg(workspace().join("scripts/gen_stack.py"))
        .arg(n.to_string())
        .output()
        .expect("run scripts/gen_stack.py");
    assert!(output.status.success(), "{}", render(&output, &[]));
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The rows of the Markdown table, header and separator left out.
fn table_rows(markdown: &str) -> Vec<&str> {
    markdown.lines().filter(|l| l.starts_with("| ")).skip(1).collect()
}

#[test]
fn a_small_change_in_a_large_stack_comes_first_and_fits_a_comment() {
    let scratch = Scratch::new();
    let old = generated_stack(1000);
    let mut new = old.clone();
    for site in [996, 138, 7] {
        let page = format!("<h1>site {site}</h1>");
        assert_eq!(new.matches(&page).count(), 1, "{page}");
        new = new.replace(&page, &format!("<h1>site {site}, edited</h1>"));
    }
    scratch.write("old.kdl", &old).write("new.kdl", &new);

    let (status, markdown, stderr) = code(&mut scratch.stackc(&["diff", "old.kdl", "new.kdl", "--format", "markdown"]));
    assert_eq!(status, 1, "{stderr}");
    let size = markdown.chars().count();
    assert!(size < 60_000, "{size} characters");
    let rows = table_rows(&markdown);
    let names: Vec<&str> = rows.iter().map(|r| r.split(" | ").nth(2).expect("a name column")).collect();
    // Natural order: 7 before 138 before 996, where byte order puts 138 first.
    assert_eq!(names, ["`site7`", "`site138`", "`site996`"], "{markdown}");
    assert!(rows.iter().all(|r| r.starts_with("| **changed** | service |")), "{markdown}");
    assert!(markdown.contains("\n997 unchanged services and 1 unchanged target: not listed (`--all` lists them).\n"));
    assert_eq!(markdown.matches("<details>").count(), 3, "one diff per changed page");
    assert!(!markdown.contains("Cut to stay under"), "nothing had to be cut");

    // Identical bundles: a heading and a count, not a thousand lines.
    let (status, markdown, _) = code(&mut scratch.stackc(&["diff", "old.kdl", "old.kdl", "--format", "markdown"]));
    assert_eq!(status, 0);
    assert!(markdown.chars().count() < 500, "{markdown}");

    // Every site changed: the report is cut to the bound, and says so.
    scratch.write("all.kdl", &old.replace("<h1>site ", "<h1>Site "));
    let (status, markdown, _) = code(&mut scratch.stackc(&["diff", "old.kdl", "all.kdl", "--format", "markdown"]));
    assert_eq!(status, 1);
    assert!(markdown.chars().count() < 60_000, "{} characters", markdown.chars().count());
    let rows = table_rows(&markdown);
    assert!(rows[0].contains("`site0`") && rows[1].contains("`site1`") && rows[2].contains("`site2`"), "{markdown}");
    assert!(markdown.contains("**Cut to stay under 60,000 characters:**"), "{markdown}");
    assert!(
        markdown.contains(" file diffs are not shown; `stackc diff` without `--format markdown` shows everything.")
    );
}

#[test]
fn unchanged_entries_are_a_count_unless_all_is_given() {
    let scratch = repository();
    let (status, stdout, _) = code(&mut scratch.stackc(&["diff", "--base", "HEAD~1", "stack.kdl", "--stat"]));
    assert_eq!(status, 1);
    assert!(stdout.contains("  changed    service  docs"), "{stdout}");
    assert!(!stdout.contains("unchanged  service"), "{stdout}");
    assert!(stdout.ends_with("  … 2 unchanged services and 1 unchanged target (`--all` lists them)\n"), "{stdout}");

    let (status, stdout, _) = code(&mut scratch.stackc(&["diff", "--base", "HEAD~1", "stack.kdl", "--stat", "--all"]));
    assert_eq!(status, 1);
    let lines: Vec<String> =
        stdout.lines().skip(2).map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(
        lines,
        [
            "changed service docs",
            "hosts/docs1/var/www/docs/index.html",
            "unchanged service proxy",
            "unchanged service site",
            "unchanged target ansible"
        ]
    );
}

#[test]
fn base_outside_a_git_repository_says_so() {
    let scratch = Scratch::new();
    scratch.write("stack.kdl", STACK);
    let mut command = scratch.stackc(&["diff", "--base", "HEAD", "stack.kdl"]);
    // No repository above the scratch directory is looked at either.
    command.env("GIT_CEILING_DIRECTORIES", scratch.path().parent().expect("parent"));
    let (status, _, stderr) = code(&mut command);
    assert_eq!(status, 2);
    assert!(
        stderr.starts_with(
            "error: `--base HEAD` reads the stack from git, but the current directory is not in a git repository\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("fatal") && !stderr.contains("not a commit"), "{stderr}");
}

#[test]
fn the_record_hint_keeps_the_overrides() {
    let scratch = Scratch::new();
    let stack = STACK.replace("stack \"shop\"\n", "stack \"shop\"\nparam \"page\" type=\"string\" default=\"hello\"\n");
    scratch.write("stack.kdl", &stack.replace("\"index.html\" \"hello\\n\"", "\"index.html\" (param)\"page\""));
    let set = ["--set", "page=hi there"];
    let (status, _, stderr) = code(scratch.stackc(&["build", "stack.kdl", "--record"]).args(set));
    assert_eq!(status, 0, "{stderr}");
    let (status, _, stderr) = code(scratch.stackc(&["build", "stack.kdl", "--check"]).args(["--set", "page=bye"]));
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("`stackc build --record stack.kdl --set page=bye` and commit it"), "{stderr}");
    let (status, _, stderr) =
        code(scratch.stackc(&["build", "stack.kdl", "--check", "--digests", "other.toml"]).args(set));
    assert_eq!(status, 2);
    assert!(
        stderr.contains("create it with `stackc build --record stack.kdl --set 'page=hi there' --digests other.toml`"),
        "{stderr}"
    );
}
