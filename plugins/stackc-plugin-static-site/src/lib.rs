//! The `static-site` plugin: a static site (pages read from a directory beside the stack)
//! served by nginx as an unprivileged user, in a Compose project. Every page and the server
//! config are mounted read-only into the stock image, so there is nothing to build; a path
//! that is no page gets the index, as a single-page application wants.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

pub use config::Config;
pub use render::{IMAGE, ROOT, SERVER_CONFIG, USER};

pub struct StaticSite;

impl Plugin for StaticSite {
    type Config = Config;

    const NAME: &'static str = "static-site";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "a static site served by unprivileged nginx (Compose)";

    fn templates() -> &'static stackc_plugin_sdk::Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![Endpoint::http("http", config.port, "/", EndpointRole::Service)],
            facts: Vec::new(),
        })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(StaticSite);
