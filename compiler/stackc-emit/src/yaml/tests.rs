use super::read_back::{assert_reads_back, parse};
use super::*;

fn quote(text: &str) -> String {
    let mut out = String::new();
    quote_into(&mut out, text);
    out
}

fn task(name: Scalar, packages: &[&str]) -> Yaml {
    Map::new()
        .with("name", name)
        .with(
            "ansible.builtin.apt",
            Map::new().with("name", Yaml::quoted_list(packages.iter().copied())).with("update_cache", true),
        )
        .into()
}

#[test]
fn blocks_are_indented_under_their_keys_and_spaced_sequences_have_blank_lines() {
    let play = Map::new()
        .with("name", Scalar::quoted("Step 1/1: web"))
        .with("hosts", Scalar::plain("service_web"))
        .with(
            "tasks",
            Seq::spaced(vec![task(Scalar::plain("Install"), &["nginx", "zlib"]), task(Scalar::plain("Again"), &[])]),
        )
        .with(
            "handlers",
            Seq::new(vec![Map::new().with("name", Scalar::plain("Reload")).with("timeout", 30_i64).into()]),
        );
    let value = Yaml::Seq(Seq::spaced(vec![play.clone().into(), play.into()]));
    let text = write(&value);
    let play_text = "- name: \"Step 1/1: web\"
  hosts: service_web
  tasks:
    - name: Install
      ansible.builtin.apt:
        name:
          - \"nginx\"
          - \"zlib\"
        update_cache: true

    - name: Again
      ansible.builtin.apt:
        name: []
        update_cache: true

  handlers:
    - name: Reload
      timeout: 30
";
    assert_eq!(text, format!("{play_text}\n{play_text}"));
    assert_reads_back(&text, &value);
}

#[test]
fn nested_sequences_and_empty_collections_read_back() {
    let value: Yaml = Map::new()
        .with("matrix", Seq::new(vec![Yaml::quoted_list(["a", "b"]), Seq::new(Vec::new()).into(), Map::new().into()]))
        .with("empty", Map::new())
        .with(
            "deep",
            Map::new().with("list", Seq::new(vec![Map::new().with("k", Seq::new(vec![Yaml::plain("v")])).into()])),
        )
        .into();
    let text = write(&value);
    assert_eq!(
        text,
        "matrix:\n  - - \"a\"\n    - \"b\"\n  - []\n  - {}\nempty: {}\ndeep:\n  list:\n    - k:\n        - v\n"
    );
    assert_reads_back(&text, &value);
}

#[test]
fn quoting_uses_json_escapes() {
    assert_eq!(quote("plain"), "\"plain\"");
    assert_eq!(quote("say \"hi\"\\"), r#""say \"hi\"\\""#);
    assert_eq!(quote("a\nb\tc\r\u{8}\u{c}\u{1}\u{1f}"), r#""a\nb\tc\r\b\f\u0001\u001f""#);
    assert_eq!(quote("{{ vault_x }} é ✓ 😀"), "\"{{ vault_x }} é ✓ 😀\"");
    // What YAML would not read back as written.
    assert_eq!(
        quote("\u{7f}\u{85}\u{9f}\u{2028}\u{2029}\u{feff}\u{ffff}"),
        r#""\u007f\u0085\u009f\u2028\u2029\ufeff\uffff""#
    );
}

#[test]
fn plain_scalars_stay_bare_only_when_they_read_back_as_strings() {
    for bare in [
        "service_web",
        "Install packages",
        "item.hosts is not defined or inventory_hostname in item.hosts",
        "/usr/sbin/nologin",
        "daemontools-run.service",
        "kustomize.config.k8s.io/v1beta1",
        "1-config.yaml",
        "a:b",
        "a#b",
        "NaN-ish",
    ] {
        assert_eq!(write(&Yaml::plain(bare)), format!("{bare}\n"));
    }
    for quoted in [
        "",
        " lead",
        "trail ",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "~",
        "null",
        "True",
        "<<",
        "=",
        "0755",
        "1:20",
        "2001-12-14",
        "1e3",
        "0x1F",
        "+12",
        ".5",
        ".inf",
        "-.Inf",
        ".NaN",
        "10.0.0.1",
        "-t",
        "? x",
        ": x",
        "a: b",
        "a #b",
        "end:",
        "#x",
        "&a",
        "*a",
        "!tag",
        "|",
        ">",
        "'x'",
        "\"x\"",
        "%x",
        "@x",
        "`x",
        "[x]",
        "{x}",
        ",x",
        "tab\there",
        "é",
        "line\nbreak",
    ] {
        assert_eq!(write(&Yaml::plain(quoted)), format!("{}\n", quote(quoted)), "{quoted:?}");
    }
}

/// Strings from an alphabet of everything that is special somewhere in YAML, each written
/// bare (where it may be) and quoted, as keys and as values, read back unchanged.
#[test]
fn any_string_reads_back() {
    const ALPHABET: &[&str] = &[
        "a", "Z", "0", "7", " ", "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%",
        "@", "`", ".", "~", "\\", "/", "\t", "\n", "\r", "\u{1}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}",
        "é", "😀", "yes", "null", "true", "0x", "1e", "inf", "<<", "=", ": ", " #", "{{ ", " }}",
    ];
    let mut state: u64 = 0x5eed;
    let mut next = |bound: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).expect("31 bits") % bound
    };
    let mut map = Map::new();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let text: String = (0..next(5)).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
        if seen.insert(text.clone()) {
            map.insert_scalar(Scalar::plain(text.clone()), Scalar::quoted(text.clone()));
            map.insert_scalar(Scalar::quoted(format!("{text}/quoted key")), Scalar::plain(text));
        }
    }
    let value = Yaml::Map(map);
    let text = write(&value);
    assert_reads_back(&text, &value);
}

#[test]
fn numbers_and_booleans_are_typed() {
    let value: Yaml = Map::new().with("status", 204_u16).with("timeout", -3_i64).with("wait", false).into();
    let text = write(&value);
    assert_eq!(text, "status: 204\ntimeout: -3\nwait: false\n");
    assert_eq!(
        parse(&text),
        read_back::Data::Map(vec![
            (read_back::Data::Str("status".into()), read_back::Data::Int(204)),
            (read_back::Data::Str("timeout".into()), read_back::Data::Int(-3)),
            (read_back::Data::Str("wait".into()), read_back::Data::Bool(false)),
        ])
    );
}
