//! Building fast without changing a byte: every service renders alone, whatever else is in
//! the stack and in whatever order; the render cache gives back exactly what rendering
//! would, and is never trusted when damaged; a one-service change renders one service; an
//! unchanged rebuild compiles nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Scratch, render, stackc, tree};

/// A stack of `n` services, in `order` (indexes into the generated list): static sites, TLS
/// proxies whose upstreams reference the four sites before them, and Kubernetes apps.
fn generated(n: usize, order: &[usize]) -> String {
    let hosts = (n / 20).max(1);
    let mut out = String::from(
        "stack \"many\"\nsecret \"tls-cert\" vault=\"vault_tls_cert\"\nsecret \"tls-key\" vault=\"vault_tls_key\"\n",
    );
    for h in 0..hosts {
        out.push_str(&format!("host \"h{h}\" address=\"10.1.{h}.10\"\n"));
    }
    for &i in order {
        let host = format!("h{}", i % hosts);
        out.push_str(&match i % 5 {
            4 => {
                let servers: String =
                    (i - 3..i).filter(|j| j % 5 < 3).map(|j| format!("        servers (ref)\"site{j}.http\"\n")).collect();
                format!(
                    "service \"proxy{i}\" plugin=\"nginx\" on=\"{host}\" {{\n    listen {}\n    tls {{\n        certificate (secret)\"tls-cert\"\n        key (secret)\"tls-key\"\n    }}\n    upstream \"sites\" {{\n{servers}        keepalive 8\n    }}\n    location \"/\" {{\n        proxy \"sites\"\n    }}\n}}\n",
                    10000 + i
                )
            }
            3 => format!(
                "service \"app{i}\" plugin=\"k8s\" {{\n    namespace \"apps\"\n    image \"registry.example.org/app:{i}\"\n    replicas {}\n    ports {{\n        http 8080\n        metrics 9100\n    }}\n    env {{\n        LOG_LEVEL \"info\"\n        INDEX \"{i}\"\n        MODE \"fast\"\n    }}\n}}\n",
                1 + i % 3
            ),
            _ => format!(
                "service \"site{i}\" plugin=\"nginx\" on=\"{host}\" {{\n    listen {}\n    files {{\n        \"index.html\" \"<h1>site {i}</h1>\"\n    }}\n}}\n",
                10000 + i
            ),
        });
    }
    out
}

/// A fixed permutation of `0..n` (a linear congruential shuffle: no randomness in tests).
fn shuffled(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..n).rev() {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        order.swap(i, (state >> 33) as usize % (i + 1));
    }
    order
}

/// `stackc build` of `stack.kdl` in `dir`, with its caches in `cache`.
fn build(dir: &Path, cache: &Path, extra: &[&str]) -> (String, PathBuf) {
    let output = command(dir, cache, extra).output().expect("run stackc");
    let text = render(&output, &[]);
    assert!(output.status.success(), "{text}");
    let bundle = fs::canonicalize(dir.join("out/many/current")).expect("current");
    (text, bundle)
}

fn command(dir: &Path, cache: &Path, extra: &[&str]) -> Command {
    let mut command = stackc();
    command.current_dir(dir).env("XDG_CACHE_HOME", cache).args(extra).args(["build", "stack.kdl", "--timings"]);
    command
}

/// `services.NAME` → digest, from a manifest.
fn service_digests(bundle: &Path) -> BTreeMap<String, String> {
    let manifest = fs::read_to_string(bundle.join("manifest.toml")).expect("manifest");
    let mut out = BTreeMap::new();
    let mut section = None;
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix("[services.").and_then(|l| l.strip_suffix(']')) {
            section = Some(name.trim_matches('"').to_owned());
        } else if line.starts_with('[') {
            section = None;
        } else if let (Some(name), Some(digest)) = (&section, line.strip_prefix("digest = ")) {
            out.insert(name.clone(), digest.trim_matches('"').to_owned());
        }
    }
    out
}

/// (rendered, reused) from `--timings`.
fn counts(text: &str) -> (usize, usize) {
    let counts = text.split("render ").nth(1).and_then(|t| t.split_once('(')).map(|(_, t)| t).expect("render timings");
    let number = |word: &str| -> usize {
        let before = counts.split(word).next().expect("count");
        before.rsplit(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty()).expect("number").parse().expect("number")
    };
    (number(" rendered"), number(" reused"))
}

#[test]
fn a_service_renders_the_same_alone_among_many_and_in_any_order() {
    const N: usize = 200;
    let in_order: Vec<usize> = (0..N).collect();
    let scratch = Scratch::new();
    let cache = scratch.path().join("cache");

    let ordered = scratch.path().join("ordered");
    fs::create_dir_all(&ordered).expect("mkdir");
    fs::write(ordered.join("stack.kdl"), generated(N, &in_order)).expect("write");
    let (_, bundle) = build(&ordered, &cache.join("a"), &["-j1"]);
    let all = service_digests(&bundle);
    assert_eq!(all.len(), N);

    let reordered = scratch.path().join("shuffled");
    fs::create_dir_all(&reordered).expect("mkdir");
    let order = shuffled(N);
    assert_ne!(order, in_order);
    fs::write(reordered.join("stack.kdl"), generated(N, &order)).expect("write");
    let (_, bundle) = build(&reordered, &cache.join("b"), &["-j4"]);
    assert_eq!(service_digests(&bundle), all, "declaration order and thread count change no service's bytes");

    // Alone: a site, a Kubernetes app, and a proxy with just the sites it references.
    let alone = scratch.path().join("alone");
    fs::create_dir_all(&alone).expect("mkdir");
    fs::write(alone.join("stack.kdl"), generated(N, &[0, 8, 11, 12, 14])).expect("write");
    let (_, bundle) = build(&alone, &cache.join("c"), &["-j2"]);
    let few = service_digests(&bundle);
    assert_eq!(few.len(), 5);
    for (name, digest) in &few {
        assert_eq!(Some(digest), all.get(name), "`{name}` renders the same alone as among {N}");
    }
}

#[test]
fn the_render_cache_never_changes_output_and_damaged_entries_are_rendered_again() {
    const N: usize = 60;
    let scratch = Scratch::new();
    let cache = scratch.path().join("cache");
    let order: Vec<usize> = (0..N).collect();
    scratch.write("stack.kdl", &generated(N, &order));

    let (cold, bundle) = build(scratch.path(), &cache, &[]);
    assert_eq!(counts(&cold), (N, 0), "{cold}");
    let cold_tree = tree(&bundle);
    let packs: Vec<PathBuf> =
        fs::read_dir(cache.join("stackc/rendered")).expect("pack dir").map(|e| e.expect("entry").path()).collect();
    assert_eq!(packs.len(), 1, "one pack per stack");
    let pack = &packs[0];

    // Warm: nothing rendered, the same bytes (the bundle is rebuilt from reused results).
    fs::remove_dir_all(scratch.path().join("out")).expect("rm out");
    let (warm, bundle) = build(scratch.path(), &cache, &[]);
    assert_eq!(counts(&warm), (0, N), "{warm}");
    assert_eq!(tree(&bundle), cold_tree);

    // A flipped bit in an entry's payload: that entry is refused and rendered again.
    let intact = fs::read(pack).expect("pack");
    let mut flipped = intact.clone();
    let middle = intact.len() / 2;
    flipped[middle] ^= 0x20;
    fs::write(pack, &flipped).expect("write");
    fs::remove_dir_all(scratch.path().join("out")).expect("rm out");
    let (text, bundle) = build(scratch.path(), &cache, &[]);
    let (rendered, reused) = counts(&text);
    assert!(rendered >= 1 && rendered + reused == N, "{text}");
    assert_eq!(tree(&bundle), cold_tree);
    // ... and replaced: the next build reuses everything.
    fs::remove_dir_all(scratch.path().join("out")).expect("rm out");
    let (text, _) = build(scratch.path(), &cache, &[]);
    assert_eq!(counts(&text), (0, N), "{text}");

    // A truncated pack: the entries it lost are rendered again, the bytes are the same.
    let intact = fs::read(pack).expect("pack");
    fs::write(pack, &intact[..intact.len() / 3]).expect("write");
    fs::remove_dir_all(scratch.path().join("out")).expect("rm out");
    let (text, bundle) = build(scratch.path(), &cache, &[]);
    let (rendered, reused) = counts(&text);
    assert!(rendered > 0 && reused > 0 && rendered + reused == N, "{text}");
    assert_eq!(tree(&bundle), cold_tree);
}

#[test]
fn a_one_service_change_renders_one_service() {
    const N: usize = 60;
    let scratch = Scratch::new();
    let cache = scratch.path().join("cache");
    let order: Vec<usize> = (0..N).collect();
    scratch.write("stack.kdl", &generated(N, &order));
    let (cold, before) = build(scratch.path(), &cache, &[]);
    assert_eq!(counts(&cold), (N, 0), "{cold}");
    let before = service_digests(&before);

    scratch.write("stack.kdl", &generated(N, &order).replace("<h1>site 7</h1>", "<h1>site seven</h1>"));
    let (text, after) = build(scratch.path(), &cache, &[]);
    assert_eq!(counts(&text), (1, N - 1), "{text}");
    let after = service_digests(&after);
    let changed: Vec<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(changed, ["site7"]);
}

#[test]
fn an_unchanged_rebuild_compiles_nothing_and_a_damaged_bundle_is_rebuilt() {
    let scratch = Scratch::new();
    let cache = scratch.path().join("cache");
    let order: Vec<usize> = (0..20).collect();
    scratch.write("stack.kdl", &generated(20, &order));
    let (first, bundle) = build(scratch.path(), &cache, &[]);
    assert!(first.contains("(written)"), "{first}");

    let (second, _) = build(scratch.path(), &cache, &[]);
    assert!(second.contains("nothing compiled"), "{second}");
    assert!(second.contains("(unchanged, nothing written)"), "{second}");
    // The same summary as a full build, less the lockfile line.
    let summary = |text: &str| {
        let stdout = text.split("----- stderr").next().expect("stdout");
        let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("lock ")).collect();
        lines.join("\n").replace("(written)", "(unchanged, nothing written)")
    };
    assert_eq!(summary(&second), summary(&first), "the same summary as a full build");

    // An edited bundle file is noticed: the build runs and restores the bundle.
    let page = bundle.join("hosts/h0/var/www/site0/index.html");
    let original = fs::read(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    fs::write(&page, b"defaced").expect("write");
    let (third, _) = build(scratch.path(), &cache, &[]);
    assert!(!third.contains("nothing compiled") && third.contains("(written)"), "{third}");
    assert_eq!(fs::read(&page).expect("page"), original);

    // An edited input is noticed too.
    scratch.write("stack.kdl", &generated(20, &order).replace("site 2<", "site two<"));
    let (fourth, _) = build(scratch.path(), &cache, &[]);
    assert!(!fourth.contains("nothing compiled") && fourth.contains("(written)"), "{fourth}");
}

#[test]
fn long_summaries_are_cut_unless_verbose() {
    let scratch = Scratch::new();
    let cache = scratch.path().join("cache");
    let order: Vec<usize> = (0..60).collect();
    scratch.write("stack.kdl", &generated(60, &order));
    let (short, _) = build(scratch.path(), &cache, &[]);
    assert!(short.contains("  … 40 more services (`--verbose` lists every one)\n"), "{short}");
    let output = command(scratch.path(), &cache, &[]).arg("--verbose").output().expect("run");
    let long = render(&output, &[]);
    assert!(long.contains("  site57 ") && !long.contains("more services"), "{long}");
    assert!(long.contains("render: 0 services rendered, 60 reused from the render cache"), "{long}");
}
