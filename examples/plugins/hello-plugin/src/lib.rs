//! The `hello` stackc plugin: writes a greeting file on every host of its service.
//!
//! ```kdl
//! plugin "hello" path="hello/target/stackc/hello.wasm" sha256="…"
//!
//! service "greeting" plugin="hello" on="web1" {
//!     message "hello, world"
//!     repeat 2
//! }
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, Templates, register_plugin};

/// The service's config: the properties and children of its `service` node.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// What the file says.
    pub message: String,
    /// How many times it says it: 1 to 10, 1 by default.
    pub repeat: Option<u32>,
}

const GREETING: &str = include_str!("../templates/greeting.txt.hbs");

/// What the template sees.
#[derive(Serialize)]
struct Greeting<'a> {
    lines: Vec<&'a str>,
}

pub struct Hello;

/// Parsed once, ahead of time (see `Templates`).
static TEMPLATES: Templates = Templates::embedded(&[("greeting.txt", GREETING)]);

impl Plugin for Hello {
    type Config = Config;

    const NAME: &'static str = "hello";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "writes a greeting file on every host of the service";

    fn templates() -> &'static Templates {
        &TEMPLATES
    }

    /// Every problem with the config; `render` runs only when there is none.
    fn check(config: &Config, _: &RenderContext) -> Vec<ConfigError> {
        let repeat = config.repeat.unwrap_or(1);
        if (1..=10).contains(&repeat) {
            return Vec::new();
        }
        // The path leads stackc to the `repeat` node of the service in the stack file.
        vec![ConfigError::at(&["repeat"], format!("{repeat} is out of range")).with_help("say it 1 to 10 times")]
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        let repeat = config.repeat.unwrap_or(1);
        let templates = &TEMPLATES;
        let lines = vec![config.message.as_str(); repeat as usize];
        let text = templates.render("greeting.txt", &Greeting { lines });
        Ok(vec![Artifact::host_file(format!("/etc/hello/{}.txt", context.service), text)])
    }
}

register_plugin!(Hello);

#[cfg(test)]
mod tests {
    use stackc_plugin_sdk::serde_json::json;
    use stackc_plugin_sdk::testing;

    use super::*;

    #[test]
    fn writes_the_message_as_often_as_asked() {
        let context = testing::context("greeting", &[("web1", "10.0.0.1")]);
        let config = json!({"message": "hi", "repeat": 2});
        let artifacts = testing::render::<Hello>(&config, &context).unwrap();
        assert_eq!(testing::host_file(&artifacts, "web1", "/etc/hello/greeting.txt"), "hi\nhi\n");
    }

    #[test]
    fn refuses_a_repeat_out_of_range() {
        let context = testing::context("greeting", &[("web1", "10.0.0.1")]);
        let config = json!({"message": "hi", "repeat": 0});
        let errors = testing::render::<Hello>(&config, &context).unwrap_err();
        assert_eq!(errors[0].path, ["repeat"]);
    }
}
