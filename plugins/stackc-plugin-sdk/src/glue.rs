//! Glue between the generated bindings and [`Plugin`]. Used by [`register_plugin!`]; not
//! part of the API.
//!
//! The records a plugin returns are the generated ones, so nothing is converted on the way
//! out; on the way in, the JSON the host passes becomes the typed config and
//! [`RenderContext`].
//!
//! [`register_plugin!`]: crate::register_plugin

use crate::bindings::stackc::plugin::types as wit;
use crate::plugin::{Plugin, check_and_render};
use crate::{Artifact, ConfigError, Exports, ExposeContext, RenderContext, config};

/// The pre-initialization export's work: whatever every call would otherwise do first.
pub fn preinitialize<P: Plugin>() {
    install_panic_hook();
    P::templates().parse();
}

pub fn describe<P: Plugin>() -> wit::PluginInfo {
    install_panic_hook();
    let schema = schemars::schema_for!(P::Config);
    wit::PluginInfo {
        name: P::NAME.to_owned(),
        version: P::VERSION.to_owned(),
        summary: P::SUMMARY.to_owned(),
        config_schema: serde_json::to_string(&schema).unwrap_or_default(),
        wants_stack_endpoints: P::WANTS_STACK_ENDPOINTS,
    }
}

pub fn expose<P: Plugin>(input: wit::ExposeInput) -> Result<Exports, Vec<ConfigError>> {
    install_panic_hook();
    let config: P::Config = config::parse(&input.config)?;
    P::expose(&config, &ExposeContext { service: input.service })
}

pub fn render<P: Plugin>(input: wit::RenderInput) -> Result<Vec<Artifact>, Vec<ConfigError>> {
    install_panic_hook();
    let config: P::Config = config::parse(&input.config)?;
    let stack_endpoints = serde_json::from_str(&input.stack_endpoints)
        .map_err(|e| ConfigError::service(format!("the host passed malformed endpoints: {e}")))?;
    let context = RenderContext {
        stack: input.stack,
        service: input.service,
        hosts: input.hosts,
        stack_endpoints,
        compose_project: input.compose_project,
    };
    check_and_render::<P>(&config, &context)
}

/// Sends panic messages to the host's log before the trap, so the user sees the message
/// rather than "wasm trap: unreachable".
fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    std::panic::set_hook(Box::new(|info| {
        use crate::bindings::stackc::plugin::host::{Level, log};
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let location = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        log(Level::Error, &format!("panicked{location}: {message}"));
    }));
}
