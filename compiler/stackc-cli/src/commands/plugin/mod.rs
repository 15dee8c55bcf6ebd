//! `stackc plugins` and `stackc plugin new|build`: listing, scaffolding and building plugins.

mod build;
pub mod list;
mod new;

use crate::args::PluginCommand;
use crate::commands::ExitStatus;

pub fn run(command: &PluginCommand) -> ExitStatus {
    match command {
        PluginCommand::New(args) => new::run(args),
        PluginCommand::Build(args) => build::run(args),
    }
}
