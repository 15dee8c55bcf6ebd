//! The `app` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// ```kdl
/// service "api" plugin="app" on="api" {
///     runtime "node"          // the only runtime for now
///     source (file)"api"      // the application's files: a directory beside the stack
///     main "server.js"        // the file node runs
///     port 8080
///     health "/health"
///     metrics "/metrics"      // exported as `metrics`, so that Prometheus scrapes it
///     image "registry.gitlab.com/acme/api-ha/api"
///     pipeline {
///         stack-file "stacks/api-ha.kdl"
///         vault "stacks/api-ha/vault.yml"
///     }
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// What runs the application; `node` by default.
    #[serde(default)]
    pub runtime: Runtime,
    /// The application's files, path → text: `(file)"DIR"` reads a directory beside the stack.
    pub source: BTreeMap<String, String>,
    /// The file the runtime runs, a path of `source`; `server.js` by default.
    #[serde(default = "default_main")]
    pub main: String,
    /// The port the application listens on (its `PORT`); 8080 by default.
    #[serde(default = "default_port")]
    pub port: u16,
    /// The path that answers 200 while the application is healthy; `/health` by default.
    #[serde(default = "default_health")]
    pub health: String,
    /// The path of Prometheus metrics, exported as `metrics`; none by default.
    pub metrics: Option<String>,
    /// The image name (no tag) the pipeline pushes; in a Compose project the built image is
    /// tagged `<image>:local`. `<stack>/<service>` by default.
    pub image: Option<String>,
    /// Writes a GitLab CI pipeline that builds and pushes the image and deploys the stack.
    pub pipeline: Option<Pipeline>,
    /// The Compose networks the container joins.
    #[serde(default, deserialize_with = "one_or_many")]
    pub networks: Vec<String>,
}

/// What runs the application.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// Node.js: Debian's `nodejs` on hosts, the official `node` image in containers.
    #[default]
    Node,
}

/// The GitLab CI pipeline (`.gitlab-ci.yml` in the service's bundle directory).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pipeline {
    /// The stack file the pipeline builds, relative to the repository's root.
    pub stack_file: String,
    /// The Ansible Vault file (encrypted) the deploy job puts beside the playbook, relative to
    /// the repository's root; for stacks with secrets.
    pub vault: Option<String>,
}

fn default_main() -> String {
    "server.js".to_owned()
}

fn default_port() -> u16 {
    8080
}

fn default_health() -> String {
    "/health".to_owned()
}
