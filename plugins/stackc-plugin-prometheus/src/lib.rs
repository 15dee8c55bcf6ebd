//! The `prometheus` plugin: Debian's `prometheus` package with
//!
//! - scrape jobs derived from every Metrics-role endpoint of the stack (one job per exporting
//!   service, its hosts as targets), so nobody lists targets by hand;
//! - alert rules for host metrics (`InstanceDown`, `HighLoad`) and a promtool unit test file
//!   for them in the bundle (`services/<service>/rules_test.yml`);
//! - probes of entry points through a blackbox exporter (one job per `probe`, one target per
//!   host and path) and service-level alerts on them and on HAProxy's own metrics: an answer
//!   slower than the budget, a 5xx, no answer, a backend without servers;
//! - alerting to an Alertmanager given by reference;
//! - retention and an explicit listen address in `/etc/default/prometheus`.

mod config;
mod probes;
mod render;
mod rules;
mod slo;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::Config;

pub struct Prometheus;

impl Plugin for Prometheus {
    type Config = Config;

    const NAME: &'static str = "prometheus";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "Prometheus server scraping every metrics endpoint of the stack, with alert rules";
    const WANTS_STACK_ENDPOINTS: bool = true;

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports {
            endpoints: vec![
                Endpoint::http("http", config.port(), "/", EndpointRole::Service),
                Endpoint::http("metrics", config.port(), "/metrics", EndpointRole::Metrics),
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

register_plugin!(Prometheus);
