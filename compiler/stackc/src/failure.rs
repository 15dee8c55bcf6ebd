//! Plugin failures as diagnostics at the service's span.

use stackc_diag::Diagnostic;
use stackc_model::Service;
use stackc_plugin_host::{CallError, ProblemTarget, Trap};

use crate::config_json::span_of;

/// Which call failed, for messages.
#[derive(Clone, Copy)]
pub(crate) enum Phase {
    Expose,
    Render,
}

pub(crate) fn diagnostics(service: &Service, phase: Phase, error: CallError) -> Vec<Diagnostic> {
    let plugin = &service.plugin.value;
    let name = &service.name.value;
    let doing = match phase {
        Phase::Expose => "reading the config of",
        Phase::Render => "rendering",
    };
    match error {
        CallError::Config(problems) => problems
            .into_iter()
            .map(|p| {
                let span = span_of(&service.config, &p.path, p.target == ProblemTarget::Key);
                let diagnostic = Diagnostic::error("stackc::plugin::config", p.message);
                let diagnostic = match span {
                    Some(span) => diagnostic.at(span, format!("rejected by plugin `{plugin}`")),
                    None => diagnostic.at(service.name.span, format!("in service `{name}` (plugin `{plugin}`)")),
                };
                diagnostic.with_help_opt(p.help)
            })
            .collect(),
        CallError::Trap(trap) => {
            let help = match &trap {
                Trap::OutOfFuel { .. } => {
                    "the plugin looped or did far more work than a render needs; report it to its author"
                }
                Trap::OutOfMemory { .. } => {
                    "the plugin tried to use more memory than the sandbox allows; report it to its author"
                }
                Trap::StackOverflow => "the plugin recursed too deeply; report it to its author",
                Trap::Panic(_) => "this is a bug in the plugin; report it to its author with the stack file",
                Trap::Other(_) => "the plugin crashed; report it to its author",
            };
            let what = match &trap {
                Trap::Panic(message) => format!("plugin `{plugin}` panicked while {doing} service `{name}`: {message}"),
                other => format!("plugin `{plugin}` failed while {doing} service `{name}`: {other}"),
            };
            vec![
                Diagnostic::error("stackc::plugin::trap", what)
                    .at(service.name.span, "in this service")
                    .with_secondary(service.plugin.span, "plugin named here")
                    .with_help(help),
            ]
        }
        CallError::Output(why) => vec![
            Diagnostic::error(
                "stackc::plugin::output",
                format!("plugin `{plugin}` failed while {doing} service `{name}`: it {why}"),
            )
            .at(service.name.span, "in this service")
            .with_secondary(service.plugin.span, "plugin named here")
            .with_help("nothing was written; this is a bug in the plugin, report it to its author"),
        ],
    }
}
