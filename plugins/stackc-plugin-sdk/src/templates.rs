//! Handlebars templates that read like the config files they produce.

use handlebars::Handlebars;
use serde::Serialize;

/// A set of templates, usually `templates/*.hbs` embedded with `include_str!`.
///
/// Strict mode is on, so a misspelled variable is an error instead of an empty string, and
/// HTML escaping is off: these are config files, not web pages.
pub struct Templates {
    registry: Handlebars<'static>,
}

impl Templates {
    /// Registers `(name, source)` pairs.
    ///
    /// # Panics
    /// On a template that does not parse: a bug in the plugin, which its tests catch.
    pub fn new(templates: &[(&str, &str)]) -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        for (name, source) in templates {
            if let Err(error) = registry.register_template_string(name, source) {
                panic!("template `{name}` does not parse: {error}");
            }
        }
        Templates { registry }
    }

    /// Renders template `name` with `data`.
    ///
    /// # Panics
    /// When rendering fails (a missing variable in strict mode): a bug in the plugin.
    pub fn render(&self, name: &str, data: &impl Serialize) -> String {
        match self.registry.render(name, data) {
            Ok(text) => text,
            Err(error) => panic!("template `{name}` failed to render: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_unescaped() {
        let t = Templates::new(&[("t", "a {{x}} <{{y}}>")]);
        assert_eq!(t.render("t", &serde_json::json!({"x": "&", "y": 1})), "a & <1>");
        let missing =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.render("t", &serde_json::json!({"x": 1}))));
        assert!(missing.is_err());
    }
}
