//! The `etcd` plugin: a static etcd 3.4 cluster (Debian `etcd-server`) sized from the number
//! of member failures it must survive. `tolerate f` needs `2f+1` members; the plugin refuses a
//! placement with fewer hosts or an even number of them (an even member adds no tolerance).

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Etcd;

impl Plugin for Etcd {
    type Config = Config;

    const NAME: &'static str = "etcd";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "etcd cluster sized from the failures it must survive";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let peer = Endpoint::http("peer", config.peer_port, "/", EndpointRole::Peer);
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("client", config.client_port, "/", EndpointRole::Service),
                Endpoint { protocol: config.peer_scheme().to_owned(), ..peer },
            ],
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

register_plugin!(Etcd);
