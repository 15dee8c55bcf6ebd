//! Config errors a plugin reports; stackc shows them at the KDL span the path leads to.
//!
//! [`ConfigError`] is the WIT `config-diagnostic` record: one line of message, lower case, no
//! trailing period; the path of keys and list indices from the service node down (empty for
//! the service itself); whether it points at the key or the value; an optional help line.

use crate::{ConfigError, Target};

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
        ConfigError { target: Target::Key, ..ConfigError::at(&[], message) }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points at the key rather than the value: for an unknown key, or a name that is wrong.
    #[must_use]
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
