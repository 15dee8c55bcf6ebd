//! The `postgres` plugin: PostgreSQL 15 in the stack's Compose project, as a primary or as a
//! streaming replica of one, with its data in a volume and every password in a secret.

mod config;
mod render;

use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Fact, Plugin, RenderContext, Templates,
    register_plugin,
};

pub use config::{Config, Role};

pub struct Postgres;

impl Plugin for Postgres {
    type Config = Config;

    const NAME: &'static str = "postgres";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "PostgreSQL 15 in Compose: a primary or a streaming replica";

    fn templates() -> &'static Templates {
        &render::TEMPLATES
    }

    /// The server (`postgres`, 5432), and for a primary its database and user as facts.
    fn expose(config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let endpoints = vec![Endpoint::tcp("postgres", render::PORT, "postgresql", EndpointRole::Service)];
        let facts = match config.role {
            Role::Primary => vec![
                Fact { name: "database".to_owned(), value: config.database().to_owned() },
                Fact { name: "user".to_owned(), value: config.user().to_owned() },
            ],
            Role::Replica => Vec::new(),
        };
        Ok(Exports { endpoints, facts })
    }

    fn check(config: &Config, context: &RenderContext) -> Vec<ConfigError> {
        render::check(config, context)
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        Ok(render::render(config, context))
    }
}

register_plugin!(Postgres);
