//! Lowers parsed stack files to the typed [`Stack`] model.
//!
//! Resolution reads the root file and its includes through a [`SourceLoader`] (this crate
//! does no I/O itself), resolves params with their `--set` overrides, expands `for`, `if`,
//! `module` and `(fmt)` (`expand.rs`), then resolves names: secrets, hosts and groups,
//! third-party `plugin` declarations, services, their plugins and placement, and every
//! `(param)`, `(secret)` and `(ref)` inside service configs. It reports every problem it
//! finds, each with a span, and never panics on user input.
//!
//! What it cannot check is left to later phases: whether a referenced export exists needs
//! the target plugin's `expose`, and whether a config key exists needs the plugin's schema.

mod address;
mod compose;
mod config;
mod declarations;
mod expand;
mod files;
mod load;
mod node;
mod params;
mod plugins;
mod unused;
mod values;

use stackc_diag::{Diagnostics, Sources};
use stackc_model::Stack;

pub use expand::MAX_ITERATIONS;
pub use load::{Data, LoadError, Loaded, Published, SourceLoader};
pub use params::{Override, OverrideValue};
pub use stackc_syntax::limits;

/// What to resolve.
pub struct Input<'a> {
    /// The root stack file, as the user named it.
    pub root: &'a str,
    /// `--values` files, applied in order before `--set`.
    pub values: &'a [String],
    /// `--set name=value` overrides, in command-line order.
    pub overrides: &'a [String],
    /// The plugin names that exist, for "unknown plugin" and its suggestion.
    pub plugins: &'a [&'a str],
}

/// The result of resolution: the sources read, the stack if it could be built, and every
/// diagnostic. `stack` is `Some` even with errors when a partial model is useful to later
/// checks; callers must look at `diagnostics.has_errors()`.
pub struct Resolved {
    pub sources: Sources,
    pub stack: Option<Stack>,
    pub diagnostics: Diagnostics,
}

/// Resolves a stack file and everything it includes.
pub fn resolve(input: &Input<'_>, loader: &dyn SourceLoader) -> Resolved {
    let mut sources = Sources::new();
    let mut diagnostics = Diagnostics::new();
    let files = load::load_all(input.root, loader, &mut sources, &mut diagnostics);
    let mut overrides = values::read(input.values, loader, &mut sources, &mut diagnostics);
    overrides.extend(params::parse_overrides(input.overrides, &mut sources, &mut diagnostics));
    let stack = files.and_then(|files| {
        let root = files.first()?.id;
        let expanded = expand::expand(files, &overrides, loader, &mut sources, &mut diagnostics);
        let files = files::FileReader { loader, sources: &sources, root: input.root };
        let stack = declarations::resolve_stack(root, &expanded, input.plugins, &files, &mut diagnostics);
        // After an error, what looks unused may be what the broken declaration would use.
        if let Some(stack) = stack.as_ref().filter(|_| !diagnostics.has_errors()) {
            let secrets = unused::secrets_read(&expanded.nodes);
            unused::warn(stack, &expanded.params_read, &secrets, &mut diagnostics);
        }
        expanded.annotate(&mut diagnostics);
        stack
    });
    Resolved { sources, stack, diagnostics }
}
