//! The `celery-worker` service config, as written in a stack file.

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{Ref, SecretRef, one_or_many};

/// A Celery worker built as an image of the service, in the stack's Compose project.
///
/// ```kdl
/// service "worker" plugin="celery-worker" on="octopus" {
///     broker (ref)"mq.amqp"
///     broker-user "octopus"
///     broker-password (secret)"mq-password"
///     queues "celery" "mail"
///     concurrency 2
///     networks "queue"
/// }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The broker: the `amqp` export of a `rabbitmq` service of the same project.
    pub broker: Ref,
    /// The broker user the worker logs in as.
    pub broker_user: String,
    /// Its password, from the stack's secrets.
    pub broker_password: SecretRef,
    /// The broker's virtual host; `/` by default.
    #[serde(default = "default_vhost")]
    pub broker_vhost: String,
    /// The queues the worker consumes; `celery`, Celery's default, by default. The first is
    /// where the worker's own task is routed.
    #[serde(default = "default_queues", deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub queues: Vec<String>,
    /// Worker processes; 2 by default.
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// The name of the task that logs its message; `log_message` by default.
    #[serde(default = "default_task")]
    pub task: String,
    /// `debug`, `info` (default), `warning` or `error`.
    #[serde(default)]
    pub log_level: LogLevel,
    /// The port of the worker's Prometheus metrics (messages received, by kind); 9808 by
    /// default, 0 for none.
    #[serde(default = "default_metrics_port")]
    pub metrics_port: u16,
    /// The networks of the Compose project the worker joins (the stack declares them).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schemars(schema_with = "stackc_plugin_sdk::one_or_many_schema::<String>")]
    pub networks: Vec<String>,
    /// The name of the image built for the worker; `<project>/<service>:latest` by default.
    pub image: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LogLevel {
    Debug,
    #[default]
    Info,
    Warning,
    Error,
}

impl LogLevel {
    /// As Celery and Python's `logging` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
        }
    }
}

fn default_vhost() -> String {
    "/".to_owned()
}

fn default_queues() -> Vec<String> {
    vec!["celery".to_owned()]
}

fn default_concurrency() -> u32 {
    2
}

fn default_task() -> String {
    "log_message".to_owned()
}

fn default_metrics_port() -> u16 {
    9808
}
