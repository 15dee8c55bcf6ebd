//! `stackc completions SHELL`: a completion script, generated from the command line's
//! definition so that it never falls behind it.

use clap::CommandFactory as _;

use crate::args::{Cli, CompletionsArgs};
use crate::commands::ExitStatus;

pub fn run(args: &CompletionsArgs) -> ExitStatus {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "stackc", &mut script);
    crate::stdout::print(&String::from_utf8_lossy(&script));
    ExitStatus::Success
}
