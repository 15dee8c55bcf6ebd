//! `stackc`: compiles stack files into deployable bundles.

use std::process::ExitCode;

use clap::Parser as _;

#[macro_use]
mod stdout;

mod args;
mod build_record;
mod cache;
mod commands;
mod fragment;
mod git_loader;
mod loader;
mod lockfile;
mod lsp;
mod natural_order;
mod plugin_reference;
mod progress_line;
mod prune;
mod published;
mod registry;
mod render_cache;
mod report;
mod report_json;
mod scaffold;

mod store;
mod wording;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    let status = commands::dispatch(args);
    ExitCode::from(status as u8)
}
