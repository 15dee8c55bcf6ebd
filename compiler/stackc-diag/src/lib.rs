//! Spans, source files and diagnostics shared by every phase of stackc.
//!
//! Diagnostics are values: phases collect them and keep going, so one run reports every
//! problem it can find. Nothing here renders or prints; the CLI turns a [`Diagnostic`] into a
//! miette report with the source text from [`Sources`].

mod diagnostic;
mod source;
mod suggest;

pub use diagnostic::{Diagnostic, Diagnostics, Label, Severity};
pub use source::{FileId, SourceFile, Sources, Span, Spanned};
pub use suggest::{did_you_mean, suggest};
