use stackc_diag::{Diagnostics, Sources, Span};

use super::*;
use crate::expand::scope::Binding;

/// Interpolates `text` written as `(fmt)"text"` with `i = 3`, `name = "web"`, `on = true` and
/// `members = ["a", "b"]` bound and `db-password` declared as a secret: the result, and each
/// diagnostic as `code @start..end`.
fn run(text: &str) -> (Option<String>, Vec<String>) {
    let mut sources = Sources::new();
    let source = format!("(fmt)\"{text}\"");
    let file = sources.add("test.kdl", source.clone());
    let span = Span::new(file, 0, source.len());
    let secrets = vec!["db-password".to_owned()];
    let mut scope = Scope::stack(&[], &secrets);
    for (name, value) in [
        ("i", Bound::Scalar(ast::Value::Integer(3))),
        ("name", Bound::Scalar(ast::Value::String("web".to_owned()))),
        ("on", Bound::Scalar(ast::Value::Bool(true))),
        ("members", Bound::List(vec![ast::Value::String("a".to_owned()), ast::Value::String("b".to_owned())])),
    ] {
        scope = scope.with(Binding { name: name.to_owned(), value, span });
    }
    let mut diagnostics = Diagnostics::new();
    let out = interpolate(&Located { text, span, source: &source }, &scope, &mut diagnostics);
    let typed = value(&Located { text, span, source: &source }, &scope, &mut Diagnostics::new());
    if let (Some(out), Some(typed)) = (&out, &typed) {
        let as_text = match typed {
            ast::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(out, &as_text, "the typed value reads as the text");
    }
    let reported = diagnostics
        .iter()
        .map(|d| {
            let s = d.span.expect("a span");
            format!("{} @{}..{}", d.code, s.start, s.end)
        })
        .collect();
    (out, reported)
}

#[test]
fn placeholders_are_replaced() {
    assert_eq!(run("etcd{i}").0.as_deref(), Some("etcd3"));
    assert_eq!(run("{name}-{i}.{on}").0.as_deref(), Some("web-3.true"));
    assert_eq!(run("10.0.0.{i + 20}").0.as_deref(), Some("10.0.0.23"));
    assert_eq!(run("{ i - 1 }").0.as_deref(), Some("2"));
    assert_eq!(run("{i * 4}/{i / 2}").0.as_deref(), Some("12/1"));
    assert_eq!(run("no placeholders").0.as_deref(), Some("no placeholders"));
    assert_eq!(run("{{literal}} {name}").0.as_deref(), Some("{literal} web"));
}

#[test]
fn mistakes_point_at_the_placeholder() {
    // `(fmt)"` is 6 bytes: the text starts at offset 6.
    assert_eq!(run("x{nope}"), (None, vec!["stackc::fmt::unknown @7..13".to_owned()]));
    assert_eq!(run("{db-password}"), (None, vec!["stackc::fmt::secret @6..19".to_owned()]));
    assert_eq!(run("{members}"), (None, vec!["stackc::fmt::type @6..15".to_owned()]));
    assert_eq!(run("{name + 1}"), (None, vec!["stackc::fmt::type @6..16".to_owned()]));
    assert_eq!(run("{i ^ 2}"), (None, vec!["stackc::fmt::syntax @6..13".to_owned()]));
    assert_eq!(run("{i / 0}"), (None, vec!["stackc::fmt::arithmetic @6..13".to_owned()]));
    assert_eq!(run("a{i"), (None, vec!["stackc::fmt::syntax @7..9".to_owned()]));
    assert_eq!(run("a}"), (None, vec!["stackc::fmt::syntax @7..8".to_owned()]));
}

#[test]
fn every_mistake_of_a_string_is_reported() {
    let (out, reported) = run("{nope}{db-password}");
    assert_eq!(out, None);
    assert_eq!(reported.len(), 2, "{reported:?}");
}

#[test]
fn one_placeholder_keeps_its_type() {
    let typed = |text: &str| {
        let mut sources = Sources::new();
        let source = format!("(fmt)\"{text}\"");
        let file = sources.add("test.kdl", source.clone());
        let span = Span::new(file, 0, source.len());
        let scope = Scope::stack(&[], &[]).with(Binding {
            name: "n".to_owned(),
            value: Bound::Scalar(ast::Value::Integer(5)),
            span,
        });
        value(&Located { text, span, source: &source }, &scope, &mut Diagnostics::new())
    };
    assert_eq!(typed("{n / 2}"), Some(ast::Value::Integer(2)));
    assert_eq!(typed("{n}"), Some(ast::Value::Integer(5)));
    assert_eq!(typed("{n}{n}"), Some(ast::Value::String("55".to_owned())));
    assert_eq!(typed("x{n}"), Some(ast::Value::String("x5".to_owned())));
    assert_eq!(typed("{{n}}"), Some(ast::Value::String("{n}".to_owned())));
}
