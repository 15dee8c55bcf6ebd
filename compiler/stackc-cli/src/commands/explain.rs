//! `stackc explain CODE`: the explanation of a diagnostic code, from `docs/diagnostics/`,
//! embedded in the binary by `build.rs`.

use super::ExitStatus;
use crate::args::ExplainArgs;

include!(concat!(env!("OUT_DIR"), "/explanations.rs"));

/// What every code starts with; `stackc explain` takes a code with it or without it.
const PREFIX: &str = "stackc::";

pub fn run(args: &ExplainArgs) -> ExitStatus {
    let code = full_code(&args.code);
    if let Some(text) = explanation(&code) {
        print!("{text}");
        return ExitStatus::Success;
    }
    eprintln!("error: no diagnostic has the code `{}`\n\nhint: {}", args.code.trim(), hint(&code));
    ExitStatus::Error
}

/// `resolve::unknown-plugin` → `stackc::resolve::unknown-plugin`; codes are lower case.
fn full_code(given: &str) -> String {
    let given = given.trim().to_lowercase();
    if given.starts_with(PREFIX) { given } else { format!("{PREFIX}{given}") }
}

fn explanation(code: &str) -> Option<&'static str> {
    let index = EXPLANATIONS.binary_search_by(|(c, _)| (*c).cmp(code)).ok()?;
    Some(EXPLANATIONS[index].1)
}

/// What to try instead of an unknown code: a code it is a likely typo of, or the codes that
/// end with it (`unknown-plugin` for `stackc::resolve::unknown-plugin`).
fn hint(code: &str) -> String {
    if let Some(close) = typo_of(code) {
        return format!("did you mean `{close}`?");
    }
    let tail = format!("::{}", code.strip_prefix(PREFIX).unwrap_or(code));
    let ending: Vec<String> =
        EXPLANATIONS.iter().filter(|(c, _)| c.ends_with(&tail)).map(|(c, _)| format!("`{c}`")).collect();
    match ending.as_slice() {
        [] => {
            "a code is what a diagnostic prints above its message, such as `stackc::resolve::unknown-plugin`".to_owned()
        }
        [one] => format!("did you mean {one}?"),
        many => format!("did you mean one of {}?", many.join(", ")),
    }
}

/// The code `code` is a likely typo of: one with as many segments, each equal or a typo of
/// its own (compared whole, the shared `stackc::resolve::` would make any two codes of a phase
/// look alike).
fn typo_of(code: &str) -> Option<&'static str> {
    let wanted: Vec<&str> = code.split("::").collect();
    let close: Vec<&'static str> = EXPLANATIONS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| {
            let segments: Vec<&str> = c.split("::").collect();
            segments.len() == wanted.len()
                && segments.iter().zip(&wanted).all(|(s, w)| s == w || stackc::diag::suggest(w, [*s]).is_some())
        })
        .collect();
    stackc::diag::suggest(code, close.iter().copied()).or(close.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_complete_enough_to_search() {
        assert!(EXPLANATIONS.windows(2).all(|pair| pair[0].0 < pair[1].0), "sorted, no duplicates");
        assert!(EXPLANATIONS.iter().all(|(code, text)| text.starts_with(&format!("# {code}\n"))));
    }

    #[test]
    fn short_and_full_codes_name_the_same_explanation() {
        assert_eq!(full_code("resolve::unknown-plugin"), "stackc::resolve::unknown-plugin");
        assert_eq!(full_code(" stackc::resolve::unknown-plugin "), "stackc::resolve::unknown-plugin");
        assert_eq!(full_code("Resolve::Unknown-Plugin"), "stackc::resolve::unknown-plugin");
        assert!(explanation("stackc::resolve::unknown-plugin").is_some());
        assert!(explanation("stackc::resolve").is_none());
    }

    #[test]
    fn unknown_codes_get_a_hint() {
        assert_eq!(hint("stackc::resolve::unknown-plugn"), "did you mean `stackc::resolve::unknown-plugin`?");
        assert_eq!(hint("stackc::resolv::unknown-plugin"), "did you mean `stackc::resolve::unknown-plugin`?");
        assert_eq!(hint("stackc::unknown-plugin"), "did you mean `stackc::resolve::unknown-plugin`?");
        assert_eq!(hint("stackc::resolv::unknown-plugn"), "did you mean `stackc::resolve::unknown-plugin`?");
        assert!(hint("stackc::duplicate").starts_with("did you mean one of "), "{}", hint("stackc::duplicate"));
        // Another word is not a typo: neither `resolve::name` nor `resolve::no-plugin` is a
        // suggestion for `resolve::nope`.
        assert!(hint("stackc::resolve::nope").starts_with("a code is what"), "{}", hint("stackc::resolve::nope"));
    }
}
