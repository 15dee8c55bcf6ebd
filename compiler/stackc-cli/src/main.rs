//! `stackc`: compiles stack files into deployable bundles.

use std::process::ExitCode;

use clap::Parser as _;

mod args;
mod commands;
mod git_loader;
mod loader;
mod report;
mod store;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    let status = commands::dispatch(args);
    ExitCode::from(status as u8)
}
