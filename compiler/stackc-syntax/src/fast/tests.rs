//! Differential tests: the fast path against `KdlDocument::parse_v2`, the reference.
//!
//! For every text, the fast path must either give up or return `kdl`'s tree: the same
//! names, types, values, kinds of entries, children and every span, compared field by field
//! (`kdl`'s `PartialEq` ignores spans and compares formatting the fast path does not fill in).
//! It must also read every stack of the repository, or it would be of no use.

use std::fmt::Debug;
use std::path::{Path, PathBuf};

use kdl::KdlDocument;
use stackc_diag::{FileId, Sources, Span};

use crate::ast::{Document, Entry, Ident, Node};
use crate::from_kdl;

/// What the fast path did with a text, when it did not diverge from `kdl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Read, with `kdl`'s tree.
    Same,
    /// Left to `kdl`, which reads it.
    LeftToKdl,
    /// Left to `kdl`, which rejects it.
    Rejected,
}

/// The file every text of these tests is.
fn file() -> FileId {
    Sources::new().add("test.kdl", "")
}

/// `kdl`'s tree of `text`, as ours.
fn reference(text: &str) -> Result<Document, kdl::KdlError> {
    KdlDocument::parse_v2(text).map(|document| from_kdl::document(file(), &document))
}

/// Runs both parsers on `text`: the outcome, or what differs.
fn check(text: &str) -> Result<Outcome, String> {
    match (super::parse(file(), text), reference(text)) {
        (None, Ok(_)) => Ok(Outcome::LeftToKdl),
        (None, Err(_)) => Ok(Outcome::Rejected),
        (Some(_), Err(error)) => Err(format!("the fast path reads what kdl rejects: {:?}", error.diagnostics)),
        (Some(fast), Ok(reference)) => {
            let mut differences = Vec::new();
            compare_documents("document", &fast, &reference, &mut differences);
            // The field-by-field walk names where the trees differ; equality is the verdict.
            if differences.is_empty() != (fast == reference) {
                differences.push("the trees differ in a field the walk does not compare".to_owned());
            }
            if differences.is_empty() { Ok(Outcome::Same) } else { Err(differences.join("\n")) }
        }
    }
}

/// Asserts that the fast path reads `text` exactly as `kdl` does.
#[track_caller]
fn assert_same(name: &str, text: &str) {
    match check(text) {
        Ok(Outcome::Same) => {}
        Ok(outcome) => panic!("{name}: {outcome:?}, not read by the fast path:\n{text}"),
        Err(difference) => panic!("{name}: the fast path diverges from kdl:\n{difference}\nin:\n{text}"),
    }
}

// The structural comparison.

fn span(span: Span) -> (u32, u32) {
    (span.start, span.end)
}

fn compare<T: Debug + PartialEq>(at: &str, what: &str, fast: T, reference: T, differences: &mut Vec<String>) {
    if fast != reference {
        differences.push(format!("{at}: {what}: fast path {fast:?}, kdl {reference:?}"));
    }
}

fn compare_documents(at: &str, fast: &Document, reference: &Document, differences: &mut Vec<String>) {
    compare(at, "span", span(fast.span()), span(reference.span()), differences);
    compare(at, "number of nodes", fast.nodes().len(), reference.nodes().len(), differences);
    for (i, (f, r)) in fast.nodes().iter().zip(reference.nodes()).enumerate() {
        compare_nodes(&format!("{at}.nodes[{i}]"), f, r, differences);
    }
}

fn compare_nodes(at: &str, fast: &Node, reference: &Node, differences: &mut Vec<String>) {
    compare(at, "span", span(fast.span()), span(reference.span()), differences);
    compare_identifiers(&format!("{at}.name"), Some(fast.name()), Some(reference.name()), differences);
    compare_identifiers(&format!("{at}.ty"), fast.ty(), reference.ty(), differences);
    compare(at, "number of entries", fast.entries().len(), reference.entries().len(), differences);
    for (i, (f, r)) in fast.entries().iter().zip(reference.entries()).enumerate() {
        compare_entries(&format!("{at}.entries[{i}]"), f, r, differences);
    }
    match (fast.children(), reference.children()) {
        (Some(f), Some(r)) => compare_documents(&format!("{at}.children"), f, r, differences),
        (f, r) => compare(at, "has children", f.is_some(), r.is_some(), differences),
    }
}

fn compare_entries(at: &str, fast: &Entry, reference: &Entry, differences: &mut Vec<String>) {
    compare(at, "span", span(fast.span()), span(reference.span()), differences);
    compare_identifiers(&format!("{at}.name"), fast.name(), reference.name(), differences);
    compare_identifiers(&format!("{at}.ty"), fast.ty(), reference.ty(), differences);
    // `Value`'s equality compares floats bit for bit (`-0.0` is not `0.0`).
    compare(at, "value", fast.value(), reference.value(), differences);
}

fn compare_identifiers(at: &str, fast: Option<&Ident>, reference: Option<&Ident>, differences: &mut Vec<String>) {
    let fields = |i: Option<&Ident>| i.map(|i| (i.value().to_owned(), span(i.span())));
    compare(at, "value and span", fields(fast), fields(reference), differences);
}

#[test]
fn the_comparison_sees_every_difference() {
    let differs = |a: &str, b: &str| {
        let (a, b) = (reference(a).expect("valid"), reference(b).expect("valid"));
        let mut differences = Vec::new();
        compare_documents("document", &a, &b, &mut differences);
        assert_eq!(differences.is_empty(), a == b, "the walk and equality disagree");
        !differences.is_empty()
    };
    assert!(!differs("a 1 k=(t)\"v\" { b }", "a 1 k=(t)\"v\" { b }"));
    for (a, b) in [
        ("a 1", "a  1"),         // entry span
        ("a 1", "a 2"),          // value
        ("a 1", "a 1.0"),        // integer or float
        ("a 0.0", "a -0.0"),     // float bits
        ("a \"1\"", "a 1"),      // string or integer
        ("a #null", "a #false"), // keywords
        ("a k=1", "a \"k\"=1"),  // key span
        ("a k=1", "a j=1"),      // key
        ("a 1", "a k=1"),        // argument or property
        ("a (t)1", "a 1"),       // value type
        ("(t)a", "a"),           // node type
        ("(t)a", "(u)a"),        // type name
        ("a", "b"),              // node name
        ("a ", "a"),             // node span
        ("a {}", "a"),           // children
        ("a { b }", "a {  b }"), // children span
        ("a { b }", "a { c }"),  // child
        ("a; b", "a"),           // nodes
        ("\na", "a"),            // document span
    ] {
        assert!(differs(a, b), "`{a}` and `{b}` compare equal");
    }
}

// The corpora.

/// The repository root.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// Every file of the repository, sources only: no build output, tools or vendored code.
fn repository_files() -> Vec<PathBuf> {
    const SKIPPED: [&str; 7] = [".git", "target", ".venv", ".tools", "out", "third_party", "node_modules"];
    let mut files = Vec::new();
    let mut pending = vec![repository()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable directory") {
            let entry = entry.expect("directory entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                if !SKIPPED.iter().any(|s| entry.file_name() == *s) {
                    pending.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The KDL texts of the repository, each with a name: `.kdl` files, ` ```kdl ` blocks of
/// Markdown files, and the raw strings (`r#"…"#`) of the compiler's integration tests, most of
/// which are stacks.
fn repository_texts() -> Vec<(String, String)> {
    let root = repository();
    let mut texts = Vec::new();
    for path in repository_files() {
        let name = path.strip_prefix(&root).expect("under the root").display().to_string();
        let extension = path.extension().and_then(|e| e.to_str());
        let is_test = name.starts_with("compiler/") && name.contains("/tests/");
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        match extension {
            Some("kdl") => texts.push((name, text)),
            Some("md") => {
                for (i, block) in markdown_kdl_blocks(&text).into_iter().enumerate() {
                    texts.push((format!("{name}, kdl block {}", i + 1), block));
                }
            }
            Some("rs") if is_test => {
                for (i, string) in raw_strings(&text).into_iter().enumerate() {
                    texts.push((format!("{name}, raw string {}", i + 1), string));
                }
            }
            _ => {}
        }
    }
    texts
}

fn markdown_kdl_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim() == "```kdl" => current = Some(String::new()),
            None => {}
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

fn raw_strings(text: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("r#\"") {
        rest = &rest[start + 3..];
        let Some(end) = rest.find("\"#") else { break };
        strings.push(rest[..end].to_owned());
        rest = &rest[end + 2..];
    }
    strings
}

/// The shape of `scripts/gen_stack.py --mix nginx N`.
fn generated_nginx(n: usize) -> String {
    let hosts = (n / 20).max(1);
    let mut out = format!("stack \"gen-{n}\" description=\"{n} generated nginx services\"\n\n");
    out += "secret \"tls-cert\" vault=\"vault_tls_cert\"\nsecret \"tls-key\" vault=\"vault_tls_key\"\n\n";
    for h in 0..hosts {
        out += &format!("host \"h{h}\" address=\"10.{}.{}.10\" {{\n    groups \"all-hosts\"\n}}\n", h / 250, h % 250);
    }
    out += "\n";
    for i in 0..n {
        let (host, port) = (format!("h{}", i % hosts), 10000 + i);
        if i % 5 == 4 {
            out += &format!("service \"proxy{i}\" plugin=\"nginx\" on=\"{host}\" {{\n    listen {port}\n");
            out += "    tls {\n        certificate (secret)\"tls-cert\"\n        key (secret)\"tls-key\"\n    }\n";
            out += "    upstream \"sites\" {\n";
            for j in i - 4..i {
                out += &format!("        servers (ref)\"site{j}.http\"\n");
            }
            out += "        keepalive 8\n    }\n    location \"/\" {\n        proxy \"sites\"\n    }\n}\n";
        } else {
            out += &format!("service \"site{i}\" plugin=\"nginx\" on=\"{host}\" {{\n    listen {port}\n");
            out += &format!("    files {{\n        \"index.html\" \"<h1>site {i}</h1>\"\n    }}\n}}\n");
        }
    }
    out
}

/// The shape of `scripts/gen_stack.py --mix k8s N`.
fn generated_k8s(n: usize) -> String {
    let mut out = format!("stack \"k8s-{n}\" description=\"{n} generated Kubernetes apps\"\n\n");
    for i in 0..n {
        out += &format!("service \"app{i}\" plugin=\"k8s\" {{\n    namespace \"team{}\"\n", i % 10);
        out += &format!("    image \"registry.example.org/app{i}:1.{}.0\"\n    replicas {}\n", i % 7, 1 + i % 3);
        out += "    ports {\n        http 8080\n        metrics 9100\n    }\n";
        out += &format!(
            "    env {{\n        LOG_LEVEL \"info\"\n        APP_INDEX \"{i}\"\n        TEAM \"team{}\"\n    }}\n}}\n",
            i % 10
        );
    }
    out
}

/// Valid KDL the fast path reads: one or more of each construct it supports, and their edges.
const SUPPORTED: &[&str] = &[
    // Documents, terminators, space.
    "",
    "\n",
    "   ",
    "// only a comment",
    "// only a comment\n",
    "/* only a block */",
    "a",
    "a;",
    "a ;",
    "a;b;c",
    "a; b ;c;",
    "a\nb\r\nc\rd",
    "a\r\n\r\n\r\nb\r\n",
    "a // comment\nb",
    "a//comment\nb",
    "a // comment\r\nb",
    "a // comment\rb",
    "\n\n  a  \n\n  b  \n\n",
    "a\t1\t;\t",
    "a   \n   b   {   c   }   \n",
    // Bare identifiers.
    "a-b_c.d:e@f!$%^&*<>?,~`'|+ x",
    "- + . -. +. --1 -a +a .a -.a +.a _1 a1 a.b.c a- a+",
    "é ünïcødé 漢字 …config… a→b",
    "true_ null- falsey infinity nan2 -infinity",
    // Quoted strings.
    "\"a b\" \"c\\\"d\" \"\\\\\" \"\\n\\r\\t\\b\\f\\s\"",
    "a \"\\u{41}\\u{1F600}\\u{10FFFF}\\u{0}\\u{00e9}\\u{000041}\"",
    "a \"x\\   \n   y\" \"x\\\r\n\ty\" \"x\\ \" \"\\ x\"",
    "a \"x\\\ry\" \"x\\\n\n\n  \ty\"",
    "a \"tab\tinside\" \"nbsp\u{a0}inside\" \"é\" \"\u{1F600}\"",
    "a \"\" \"\"",
    "\"\" 1",
    "\"quoted node\" \"arg\" \"key with space\"=1",
    "\"true\" \"null\" \"#true\" \"1\" \"(t)\" \"{}\" \"//\" \"/*\" \"=\"",
    "a \"x\\\\\" \"\\\"\" \"a\\\"\\\"\\\"b\"",
    // Numbers.
    "a 0 -0 +0 1 -1 +1 1_000 1_ 1__0 01 007",
    "a 0x1F 0XfF -0x10 +0x1 0xdead_beef 0x1_ 0o17 0O7 -0o7 0b101 0B1_0 -0b1 0b0",
    "a 1.5 -1.5 +1.5 0.0 -0.0 1.0 007.5 1_0.5_0 1.5_",
    "a 1e5 1E5 1e+5 1e-5 1.5e3 -1.5E-3 1_0.5_0e1_0 0e0 1e0_ 1e999 1e-999 1.0e-400",
    "a 170141183460469231731687303715884105727 -170141183460469231731687303715884105727",
    "a 0x7fffffffffffffffffffffffffffffff -0x7fffffffffffffffffffffffffffffff",
    "a 3.14159265358979323846264338327950288 2.7182818284590452353602874713527",
    "a 123456789012345678901234567890.5 0.000000000000000000000000000000000001",
    // Keywords.
    "a #true #false #null",
    "a k=#true j=#null",
    "a #true;",
    "a #false{}",
    "a { b #null}",
    // Type annotations.
    "(t)a",
    "(t) a",
    "( t )a",
    "(\t t \t) a",
    "(\"my type\")a",
    "(\"\")a",
    "(é)a",
    "a (u)1 (v)\"s\" (w)b (x)#null (y)1.5",
    "a (t) 1 (u)  \"s\"",
    "a k=(t)1",
    "a k= (t) 1",
    "a k = (t)1",
    "(t)a (u)1 {}",
    "a (/* c */t/* d */)1",
    "a (t)-",
    "a (-)1 (.)2 (a.b)3",
    // Properties.
    "a k=v",
    "a k=1",
    "a k = 1",
    "a k =1",
    "a k= 1",
    "a \"k\"=1",
    "a \"\"=1",
    "a k=\"v\"",
    "a k=1 k=2",
    "a k=1 2 k=3 4",
    "a k=1{}",
    "a k/* c */=/* d */1",
    "a - =1 .=2 +=3",
    // Children.
    "a{}",
    "a {}",
    "a { }",
    "a {\n}",
    "a {\n\n\n}",
    "a {b}",
    "a { b }",
    "a { b; c }",
    "a { b; c; }",
    "a { b 1}",
    "a 1{}",
    "a \"x\"{}",
    "a {} // comment",
    "a {}\nb {}",
    "a {};b {}",
    "a { /* c */ }",
    "a { // c\n}",
    "a {\n  b\n  c {\n    d 1\n  }\n}\n",
    "a {\r\n  b {\r\n    c\r\n  }\r\n}\r\n",
    "a { b { c { d { e } } } }",
    "a {} ",
    "a {}  /* c */  ;",
    // Comments.
    "/* /* nested */ */ a",
    "a /*/ */ 1",
    "a /***/ 1",
    "a /* * / ** */ 1",
    "/**/a",
    "a/* c */1",
    "a /* multi\nline */ 1",
    "a 1 /* c\n */\nb",
    "a /* /* a */ /* b */ */ 1",
    "a /* é … ☃ */ 1 // é … ☃\nb",
    "// c\r\n",
    "a // c \"not a string\" {",
    "a /* c */",
    "/* c */ a /* c */ ; /* c */ b /* c */",
];

/// Valid KDL the fast path leaves to `kdl`.
const LEFT_TO_KDL: &[&str] = &[
    "a \"\"\"\n  multi-line\n  \"\"\"",
    "a #\"raw\"#",
    "a ##\"raw \"# string\"##",
    "a #\"\"\"\n  raw\n  \"\"\"#",
    "/-a\nb",
    "a /-1 2",
    "a /-k=1 2",
    "a /-{ b } { c }",
    "a \\\n  1",
    "a \\ // continued\n  1",
    "a\\",
    "a #inf #-inf #nan",
    "a -inf",
    "a +inf",
    "\u{FEFF}a",
    "a\u{a0}1",
    "a\u{3000}1",
    "a\u{2028}b",
    "a\u{2029}b",
    "a\u{85}b",
    "a\u{b}b",
    "a\u{c}b",
    "a \"\\\u{a0}x\"",
    "a \"\\ \u{a0}x\"",
    "a // comment\u{2028}b",
    "a \u{7f}",
];

/// Broken KDL: both parsers reject it.
const INVALID: &[&str] = &[
    "a {",
    "a { b",
    "a }",
    "}",
    "{",
    "{ a }",
    "a {}}",
    "a {} {}",
    "a {} b",
    "a {}1",
    "a \"",
    "a \"x",
    "a \"x\ny\"",
    "a \"x\ry\"",
    "a \"\\q\"",
    "a \"\\u{}\"",
    "a \"\\u{1234567}\"",
    "a \"\\u{D800}\"",
    "a \"\\u{110000}\"",
    "a \"\\u41\"",
    "a \"\u{1}\"",
    "a \"x\"y",
    "a b\"c\"",
    "a\"b\"",
    "\"\"\"",
    "a 1.",
    "a 1.e5",
    "a 1e",
    "a 1e+",
    "a .5",
    "a -.5",
    "a +.5",
    "a 0x",
    "a 0x_1",
    "a 0xg",
    "a 0b12",
    "a 0o8",
    "a 1_x",
    "a 1a",
    "a 1.5.3",
    "a 1e5e3",
    "a 170141183460469231731687303715884105728",
    "a -170141183460469231731687303715884105728",
    "a 0x80000000000000000000000000000000",
    "a 1234567890123456789012345678901234567890.5",
    "a true",
    "a false",
    "a null",
    "a inf",
    "a nan",
    "true",
    "a k=",
    "a k=\n1",
    "a k==1",
    "a =1",
    "a 1=2",
    "a #true=1",
    "a b=c=d",
    "a (t)k=1",
    "(t)k=1",
    "a(t)1",
    "a 1(t)2",
    "a (1)x",
    "a (t",
    "a ()1",
    "a ( )1",
    "a (t)",
    "(t)",
    "(t)\na",
    "a (t)(u)1",
    "a [1]",
    "a #truex",
    "a #foo",
    "a #",
    "a /* unterminated",
    "a /* /* */",
    "a;;",
    "a { ; }",
    ";",
    "1",
    "1a",
    "#true",
    "a /",
    "a 1 /",
    "a 1/2",
    "a{}b",
    "a \"tab\u{0}\"",
    "a \u{1}",
];

// The tests.

#[test]
fn reads_every_kdl_text_of_the_repository_as_kdl_does() {
    let texts = repository_texts();
    let files = texts.iter().filter(|(name, _)| name.ends_with(".kdl")).count();
    assert!(files >= 10, "only {files} .kdl files found: is the walk broken?");
    let mut read = 0;
    for (name, text) in &texts {
        match check(text) {
            Ok(Outcome::Same) => read += 1,
            // Deliberately broken fixtures, and raw strings that are not KDL.
            Ok(Outcome::Rejected) => {}
            Ok(Outcome::LeftToKdl) => panic!("{name}: valid, but not read by the fast path"),
            Err(difference) => panic!("{name}: the fast path diverges from kdl:\n{difference}"),
        }
    }
    assert!(read >= files, "only {read} texts read");
}

#[test]
fn reads_generated_stacks_as_kdl_does() {
    assert_same("--mix nginx 200", &generated_nginx(200));
    assert_same("--mix k8s 200", &generated_k8s(200));
}

#[test]
fn reads_every_supported_construct_as_kdl_does() {
    let mut failures = Vec::new();
    for text in SUPPORTED {
        for variant in [text.to_string(), format!("node {{\n{text}\n}}\n"), text.replace('\n', "\r\n")] {
            match check(&variant) {
                Ok(Outcome::Same) => {}
                outcome => failures.push(format!("{variant:?}: {outcome:?}")),
            }
        }
    }
    assert!(failures.is_empty(), "not read as kdl reads them:\n{}", failures.join("\n"));
}

#[test]
fn leaves_the_constructs_it_does_not_support_to_kdl() {
    let failures: Vec<String> = LEFT_TO_KDL
        .iter()
        .filter_map(|text| match check(text) {
            Ok(Outcome::LeftToKdl) => None,
            outcome => Some(format!("{text:?}: {outcome:?}")),
        })
        .collect();
    assert!(failures.is_empty(), "not left to kdl:\n{}", failures.join("\n"));
}

#[test]
fn leaves_errors_to_kdl_and_reports_them_as_before() {
    let failures: Vec<String> = INVALID
        .iter()
        .filter_map(|text| match check(text) {
            Ok(Outcome::Rejected) => None,
            outcome => Some(format!("{text:?}: {outcome:?}")),
        })
        .collect();
    assert!(failures.is_empty(), "not rejected by both:\n{}", failures.join("\n"));
    let mut sources = Sources::new();
    for text in INVALID {
        let file = sources.add("bad.kdl", *text);
        let parsed = crate::parse(file, text);
        assert!(parsed.document.is_none(), "{text:?}");
        assert!(!parsed.diagnostics.is_empty(), "{text:?}");
        assert_eq!(parsed.diagnostics, crate::parse_with_kdl(file, text).diagnostics, "{text:?}");
    }
}

/// A small deterministic random number generator (xorshift64*): no dependency, the same
/// mutations on every run.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let wide = u128::from(self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)) * n as u128;
        usize::try_from(wide >> 64).expect("below n")
    }
}

/// Pieces that mutations insert: the characters and tokens that matter to KDL's grammar.
const PIECES: &[&str] = &[
    "\"", "\\", "{", "}", "(", ")", "=", ";", "/", "*", "#", "-", "+", ".", "_", "0", "1", "9", "e", "E", "x", "o",
    "b", "u", " ", "\t", "\n", "\r", "\r\n", "/*", "*/", "//", "/-", "#true", "#nan", "\"\"\"", "\\u{41}", "\\n",
    "0x1f", "1.5", "\u{a0}", "\u{2028}", "\u{b}", "\u{feff}", "é", "…", "[", "]", "k=", "(t)", "\u{0}",
];

/// Mutates `text` once: a piece inserted, a character removed or replaced, or a slice repeated.
fn mutate(text: &str, random: &mut Random) -> String {
    let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
    let at = boundaries[random.below(boundaries.len())];
    let next = boundaries.iter().copied().find(|&i| i > at).unwrap_or(at);
    let piece = PIECES[random.below(PIECES.len())];
    match random.below(4) {
        0 => format!("{}{piece}{}", &text[..at], &text[at..]),
        1 => format!("{}{}", &text[..at], &text[next..]),
        2 => format!("{}{piece}{}", &text[..at], &text[next..]),
        _ => {
            let end = boundaries[random.below(boundaries.len())].max(at);
            format!("{}{}", &text[..end], &text[at..])
        }
    }
}

#[test]
fn never_diverges_from_kdl_on_mutated_texts() {
    let mut seeds: Vec<String> = SUPPORTED.iter().chain(LEFT_TO_KDL).chain(INVALID).map(|s| (*s).to_owned()).collect();
    seeds.push(generated_nginx(5));
    seeds.push(generated_k8s(3));
    let mut random = Random(0x5eed_cafe_f00d_d00d);
    let (mut read, mut total) = (0, 0);
    let mut divergences = Vec::new();
    for seed in &seeds {
        for _ in 0..100 {
            let mut text = seed.clone();
            for _ in 0..=random.below(3) {
                text = mutate(&text, &mut random);
            }
            total += 1;
            match check(&text) {
                Ok(outcome) => read += usize::from(outcome == Outcome::Same),
                Err(difference) => divergences.push(format!("{text:?}:\n{difference}")),
            }
        }
    }
    assert!(divergences.is_empty(), "{} divergences, first:\n{}", divergences.len(), divergences[0]);
    // The mutations must exercise the fast path, not only its refusals.
    assert!(read * 5 > total, "the fast path read only {read} of {total} mutated texts");
}
