//! `compiler/ARCHITECTURE.md`, the document whose invariants the tidy tests hold.

use std::fmt;
use std::fs;

use crate::repository;

/// The document, relative to the repository root.
pub const ARCHITECTURE: &str = "compiler/ARCHITECTURE.md";

/// One line of `ARCHITECTURE.md`: the rule a check holds, named in its failure message.
pub struct Rule {
    /// 1-based.
    pub line: usize,
    pub text: String,
}

/// The one line of `ARCHITECTURE.md` that contains `words`. Panics when there is none, or
/// several: a check must not outlive the rule it holds, nor hold an ambiguous one.
pub fn rule(words: &str) -> Rule {
    let text = fs::read_to_string(repository().join(ARCHITECTURE)).expect("ARCHITECTURE.md");
    let found: Vec<Rule> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(words))
        .map(|(index, line)| Rule { line: index + 1, text: line.trim().to_owned() })
        .collect();
    match <[Rule; 1]>::try_from(found) {
        Ok([rule]) => rule,
        Err(found) => panic!(
            "{ARCHITECTURE} has {} lines that say `{words}`; a tidy check names exactly one: \
             update the check with the document",
            found.len()
        ),
    }
}

impl Rule {
    /// Fails the test when `offences` is not empty, naming the rule and every offence.
    pub fn holds(&self, offences: &[String]) {
        assert!(offences.is_empty(), "{self}\nbroken by:\n  {}", offences.join("\n  "));
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ARCHITECTURE}:{}: {}", self.line, self.text)
    }
}
