//! Handlebars templates that read like the config files they produce.

use std::sync::OnceLock;

use handlebars::Handlebars;
use serde::Serialize;

/// A set of templates, usually `templates/*.hbs` embedded with `include_str!`, kept in a
/// `static` and returned by [`Plugin::templates`](crate::Plugin::templates):
///
/// ```
/// use stackc_plugin_sdk::Templates;
///
/// static TEMPLATES: Templates = Templates::embedded(&[("motd", "hello {{name}}\n")]);
///
/// assert_eq!(TEMPLATES.render("motd", &stackc_plugin_sdk::serde_json::json!({"name": "web1"})), "hello web1\n");
/// ```
///
/// They are parsed once, on first use. Parsing costs far more than rendering (about a
/// millisecond against tens of microseconds), and every plugin call runs in a fresh instance,
/// so `stackc plugin build` (and the build of the built-in plugins) parses them ahead of time:
/// it runs the plugin's pre-initialization, which parses the templates `Plugin::templates`
/// returns, and snapshots the instance's memory into the component. Every call then starts with
/// the templates already parsed.
///
/// Strict mode is on, so a misspelled variable is an error instead of an empty string, and
/// HTML escaping is off: these are config files, not web pages.
pub struct Templates {
    sources: &'static [(&'static str, &'static str)],
    registry: OnceLock<Handlebars<'static>>,
}

impl Templates {
    /// `(name, source)` pairs, parsed on first use.
    pub const fn embedded(sources: &'static [(&'static str, &'static str)]) -> Self {
        Templates { sources, registry: OnceLock::new() }
    }

    /// Parses every template now (pre-initialization calls this).
    ///
    /// # Panics
    /// On a template that does not parse: a bug in the plugin, which its tests catch.
    pub fn parse(&self) {
        self.registry();
    }

    /// Renders template `name` with `data`.
    ///
    /// # Panics
    /// When rendering fails (a missing variable in strict mode): a bug in the plugin.
    pub fn render(&self, name: &str, data: &impl Serialize) -> String {
        match self.registry().render(name, data) {
            Ok(text) => text,
            Err(error) => panic!("template `{name}` failed to render: {error}"),
        }
    }

    fn registry(&self) -> &Handlebars<'static> {
        self.registry.get_or_init(|| {
            let mut registry = Handlebars::new();
            registry.set_strict_mode(true);
            registry.register_escape_fn(handlebars::no_escape);
            for (name, source) in self.sources {
                if let Err(error) = registry.register_template_string(name, source) {
                    panic!("template `{name}` does not parse: {error}");
                }
            }
            registry
        })
    }
}

/// What [`Plugin::templates`](crate::Plugin::templates) returns for a plugin without templates.
pub(crate) static NO_TEMPLATES: Templates = Templates::embedded(&[]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_unescaped() {
        static T: Templates = Templates::embedded(&[("t", "a {{x}} <{{y}}>")]);
        assert_eq!(T.render("t", &serde_json::json!({"x": "&", "y": 1})), "a & <1>");
        let missing =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| T.render("t", &serde_json::json!({"x": 1}))));
        assert!(missing.is_err());
    }

    #[test]
    fn parsing_happens_once_and_reports_the_template() {
        static T: Templates = Templates::embedded(&[("ok", "{{a}}")]);
        assert!(T.registry.get().is_none());
        T.parse();
        let first: *const Handlebars<'static> = T.registry.get().expect("parsed");
        assert_eq!(T.render("ok", &serde_json::json!({"a": 1})), "1");
        assert!(std::ptr::eq(first, T.registry.get().expect("parsed")));

        static BROKEN: Templates = Templates::embedded(&[("broken", "{{#if}}")]);
        let panic = std::panic::catch_unwind(|| BROKEN.parse()).expect_err("does not parse");
        let message = panic.downcast_ref::<String>().expect("message");
        assert!(message.starts_with("template `broken` does not parse"), "{message}");
    }
}
