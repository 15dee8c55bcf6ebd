//! The `static-site` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// ```kdl
/// service "frontend" plugin="static-site" on="octopus" {
///     pages (file)"frontend"
///     networks "frontend"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The site: path under the document root → text, usually a directory read with
    /// `(file)"dir"`.
    pub pages: BTreeMap<String, String>,
    /// The page served for `/` and for any path that is not a page (a single-page
    /// application's routes); `index.html` by default.
    #[serde(default = "default_index")]
    pub index: String,
    /// The port nginx listens on inside the container; 8080 by default.
    #[serde(default = "default_port")]
    pub port: u16,
    /// The `Content-Security-Policy` header; by default only the site's own origin, which is
    /// also where a gateway in front of it routes the API.
    #[serde(default = "default_csp")]
    pub content_security_policy: String,
    /// The Compose networks the container joins.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
}

fn default_index() -> String {
    "index.html".to_owned()
}

fn default_port() -> u16 {
    8080
}

fn default_csp() -> String {
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'".to_owned()
}
