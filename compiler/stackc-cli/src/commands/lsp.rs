//! `stackc lsp`: the language server, for editors.

use super::{ExitStatus, load_plugins};

pub fn run() -> ExitStatus {
    match load_plugins() {
        Ok(plugins) => crate::lsp::serve(plugins),
        Err(status) => status,
    }
}
