//! The `probe` plugin: a small Python program (standard library only) that every few seconds
//! reads `node_load1` of every host from Prometheus's HTTP API and requests nginx
//! `stub_status` pages, appending JSON Lines records (load per instance; the status request
//! and response with headers) to a file. Its endpoints come from references, written into its
//! config file; it runs supervised (daemontools with multilog rotation by default).

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, register_plugin};

pub use config::Config;

pub struct Probe;

impl Plugin for Probe {
    type Config = Config;

    const NAME: &'static str = "probe";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "records load from Prometheus and nginx stub_status as JSON Lines";

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Probe);
