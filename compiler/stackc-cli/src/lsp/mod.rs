//! `stackc lsp`: a language server for stack files over stdio.
//!
//! Diagnostics are `stackc check`'s, from the same driver, with the editor's unsaved buffers
//! read before the disk (`documents.rs`); a check covers a whole stack, so a file it includes
//! gets its diagnostics too (`roots.rs`, `diagnostics.rs`). Hover, completion and definition
//! read the document through a forgiving outline (`outline.rs`, `cursor.rs`), since a buffer
//! being typed into rarely parses, and look names up in the last stack that resolved
//! (`analysis.rs`) and in plugins' config schemas (`schema.rs`).
//!
//! The protocol scaffold is rust-analyzer's `lsp-server`: synchronous, one thread, no async
//! runtime.

mod analysis;
mod capabilities;
mod completion;
mod cursor;
mod definition;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod line_index;
mod memory_cache;
mod outline;
mod query;
mod roots;
mod schema;
mod server;
mod uri;

use lsp_server::Connection;
use stackc::Plugins;

use crate::commands::ExitStatus;

/// Serves the protocol on stdin and stdout until the client says `exit`: success after
/// `shutdown` then `exit`, failure (1) for an `exit` without `shutdown` or a client gone, as
/// the protocol asks; an error (2) when the client never initialized the server.
pub fn serve(plugins: Plugins) -> ExitStatus {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("error: cannot read the current directory: {}", crate::loader::io_reason(&error));
            return ExitStatus::Error;
        }
    };
    let (connection, io_threads) = Connection::stdio();
    let result = serde_json::to_value(capabilities::initialize_result()).expect("the protocol's types serialize");
    let initialized = connection.initialize_start().and_then(|(id, _)| connection.initialize_finish(id, result));
    if let Err(error) = initialized {
        eprintln!("error: the client did not initialize the server: {error}");
        return ExitStatus::Error;
    }
    let ending = server::Server::new(connection, plugins, cwd).run();
    // The server, and with it the connection, is gone: the writer thread stops when it has
    // sent what was queued.
    let joined = io_threads.join();
    match (ending, joined) {
        (server::Ending::Clean, Ok(())) => ExitStatus::Success,
        // The protocol's exit code for an `exit` not preceded by `shutdown`.
        (server::Ending::Abrupt(why), _) => {
            eprintln!("error: {why}");
            ExitStatus::Failure
        }
        (_, Err(error)) => {
            eprintln!("error: {}", crate::loader::io_reason(&error));
            ExitStatus::Error
        }
    }
}
