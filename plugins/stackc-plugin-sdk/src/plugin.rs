//! The trait a plugin implements.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::templates::NO_TEMPLATES;
use crate::{Artifact, ConfigError, Exports, ExposeContext, RenderContext, Templates};

/// A service plugin. Implement it on a unit struct and export it with
/// [`register_plugin!`](crate::register_plugin).
///
/// Every function must be deterministic: the same input gives the same output, byte for byte.
/// Iterate `BTreeMap`s, not `HashMap`s; read no clock; draw no random numbers.
pub trait Plugin {
    /// The service config, deserialized from the service node of the stack file.
    type Config: DeserializeOwned + JsonSchema;

    /// The name stacks use in `plugin="…"`.
    const NAME: &'static str;
    /// The plugin's version (semver).
    const VERSION: &'static str;
    /// One line for `stackc plugins`.
    const SUMMARY: &'static str;
    /// Whether [`RenderContext::stack_endpoints`] should list every service's endpoints (a
    /// monitoring system deriving scrape targets wants them; most plugins do not).
    const WANTS_STACK_ENDPOINTS: bool = false;

    /// The plugin's templates: a `static` (see [`Templates`]), so that they are parsed once,
    /// ahead of time, instead of on every call.
    fn templates() -> &'static Templates {
        &NO_TEMPLATES
    }

    /// What the service offers other services, from its config and name alone.
    fn expose(config: &Self::Config, context: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        let _ = (config, context);
        Ok(Exports::default())
    }

    /// Every problem with the config in its context, each at its config path. `render` runs
    /// only when there is none, so it can rely on what this checks.
    fn check(config: &Self::Config, context: &RenderContext) -> Vec<ConfigError> {
        let _ = (config, context);
        Vec::new()
    }

    /// The artifacts of the service.
    fn render(config: &Self::Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>>;
}

/// `check`, then `render` when the config passed: what a render call runs, in the component
/// and in [`testing`](crate::testing).
pub(crate) fn check_and_render<P: Plugin>(
    config: &P::Config,
    context: &RenderContext,
) -> Result<Vec<Artifact>, Vec<ConfigError>> {
    let errors = P::check(config, context);
    if !errors.is_empty() {
        return Err(errors);
    }
    P::render(config, context)
}
