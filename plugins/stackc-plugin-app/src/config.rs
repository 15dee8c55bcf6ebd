//! The `app` service config, as written in a stack file.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::one_or_many;

/// In the cluster (no `on=`) an app is its image and its pipeline: a `k8s` service runs the
/// image, and the pipeline applies that service's kustomization:
///
/// ```kdl
/// service "api-image" plugin="app" {
///     runtime "python"
///     source (file)"tasktracker/api"
///     main "tasktracker.main:app"
///     port 8000
///     health "/healthz"
///     image "registry.example.org:5000/tasktracker/api"
///     pipeline {
///         stack-file "stacks/tasktracker.kdl"
///         test "python -m pytest -q"
///         tag-param "api_tag"
///         apply "api"
///     }
/// }
/// ```
///
/// On hosts or in a Compose project it runs the application itself:
///
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
    /// What the runtime runs: for Node.js a file of `source` (`server.js` by default), for
    /// Python the application as uvicorn names it (`package.module:app`).
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
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
}

/// What runs the application.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// Node.js: Debian's `nodejs` on hosts, the official `node` image in containers.
    #[default]
    Node,
    /// Python with an ASGI application served by uvicorn (FastAPI, Starlette), in containers
    /// only: the official `python` image, the dependencies of `requirements.txt` in a virtual
    /// environment, `main` naming the application as uvicorn does (`package.module:app`).
    Python,
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
    /// A command that runs the application's tests (`python -m pytest -q`), in the runtime's
    /// image with the application's dependencies installed, before the image is built.
    pub test: Option<String>,
    /// A stack param the pipeline sets to the commit's short SHA when it builds the bundle,
    /// so that the deployed workload runs the image it just pushed (`image (fmt)"…:{tag}"`).
    pub tag_param: Option<String>,
    /// For an app in the cluster: the services whose kustomizations
    /// (`kubernetes/<service>/`) the deploy job applies with kubectl, in this order.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub apply: Vec<String>,
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
