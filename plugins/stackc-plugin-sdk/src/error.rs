//! Config errors a plugin reports; stackc shows them at the KDL span the path leads to.

/// Which part of the config node an error points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The key: an unknown or missing setting.
    Key,
    /// The value: a setting with a bad value.
    Value,
}

/// A problem with a service's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// One line, lower case, no trailing period.
    pub message: String,
    /// Keys and list indices from the service node down; empty for the service itself.
    pub path: Vec<String>,
    pub target: Target,
    pub help: Option<String>,
}

impl ConfigError {
    /// An error about the value at `path`, e.g. `ConfigError::at(&["upstream", "keepalive"], …)`.
    pub fn at(path: &[&str], message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            target: Target::Value,
            help: None,
        }
    }

    /// An error about the service as a whole.
    pub fn service(message: impl Into<String>) -> Self {
        ConfigError { message: message.into(), path: Vec::new(), target: Target::Key, help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn on_key(mut self) -> Self {
        self.target = Target::Key;
        self
    }
}

impl From<ConfigError> for Vec<ConfigError> {
    fn from(error: ConfigError) -> Self {
        vec![error]
    }
}
