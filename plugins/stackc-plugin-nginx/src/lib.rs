//! The `nginx` plugin: static web servers, reverse proxies with upstream keepalive, and TLS
//! termination, laid out the way Debian's nginx package expects.

mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Exports, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;

pub struct Nginx;

impl Plugin for Nginx {
    type Config = Config;

    const NAME: &'static str = "nginx";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "nginx web server, reverse proxy and TLS terminator";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config) -> Result<Exports, Vec<ConfigError>> {
        render::exports(config)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        render::render(config, context)
    }
}

register_plugin!(Nginx);
