//! The `metallb` plugin: MetalLB from its Helm chart in layer 2 mode, with the address pool
//! LoadBalancer Services get their external addresses from. It exports nothing: it serves no
//! traffic of its own.

mod addresses;
mod config;
mod render;

use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

pub use config::Config;
pub use render::{CHART, CHART_VERSION, REPOSITORY};

pub struct Metallb;

impl Plugin for Metallb {
    type Config = Config;

    const NAME: &'static str = "metallb";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str =
        "MetalLB (layer 2) from its Helm chart, with an IPAddressPool for LoadBalancer Services";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Metallb);
