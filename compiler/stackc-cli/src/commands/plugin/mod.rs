//! `stackc plugins` and `stackc plugin new|build|publish|pull|inspect`: listing, scaffolding,
//! building and sharing plugins.

mod build;
mod inspect;
pub mod list;
mod new;
mod publish;
mod pull;

use crate::args::PluginCommand;
use crate::commands::ExitStatus;

pub fn run(command: &PluginCommand) -> ExitStatus {
    match command {
        PluginCommand::New(args) => new::run(args),
        PluginCommand::Build(args) => build::run(args),
        PluginCommand::Publish(args) => publish::run(args),
        PluginCommand::Pull(args) => pull::run(args),
        PluginCommand::Inspect(args) => inspect::run(args),
    }
}
