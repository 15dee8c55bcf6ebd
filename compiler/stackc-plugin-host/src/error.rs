//! Why a plugin could not be loaded or a call failed.

use std::fmt;

/// A component that cannot be used as a plugin. Displayed as a clause about the component
/// ("it imports …"), to follow "plugin `x` cannot be used: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The engine itself could not be set up.
    Engine(String),
    /// Not a valid component.
    Invalid(String),
    /// It imports capabilities the sandbox does not give (WASI, …).
    ForbiddenImports(Vec<String>),
    /// Built against a WIT version this host does not implement.
    WitVersion { found: String, supported: String },
    /// It does not export `stackc:plugin/service-plugin`.
    NotAPlugin,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Engine(e) => write!(f, "cannot set up the WebAssembly engine: {e}"),
            LoadError::Invalid(e) => write!(f, "it is not a valid plugin component: {e}"),
            LoadError::ForbiddenImports(names) => {
                write!(f, "it imports what the sandbox does not provide: {}", names.join(", "))
            }
            LoadError::WitVersion { found, supported } => write!(
                f,
                "it was built against WIT `stackc:plugin@{found}`, but this stackc supports `stackc:plugin@{supported}` \
                 and the versions before it back to {}",
                crate::engine::OLDEST_WIT_VERSION
            ),
            LoadError::NotAPlugin => write!(f, "it does not export `stackc:plugin/service-plugin`"),
        }
    }
}

/// How a call ended abnormally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trap {
    /// Fuel ran out: an endless loop, or far more work than a render needs.
    OutOfFuel { fuel: u64 },
    /// It asked for more memory than the limit.
    OutOfMemory { requested: usize, limit: usize },
    /// Recursion too deep.
    StackOverflow,
    /// It panicked; the message comes from the SDK's panic hook.
    Panic(String),
    /// Any other trap.
    Other(String),
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::OutOfFuel { fuel } => write!(f, "ran out of fuel after {fuel} units (an endless loop?)"),
            Trap::OutOfMemory { requested, limit } => {
                write!(f, "asked for {} MiB of memory; the limit is {} MiB", mib(*requested), mib(*limit))
            }
            Trap::StackOverflow => write!(f, "overflowed its stack (unbounded recursion?)"),
            Trap::Panic(message) => write!(f, "{message}"),
            Trap::Other(message) => write!(f, "trapped: {message}"),
        }
    }
}

/// Bytes in MiB: whole when exact, else rounded up to a tenth, so that a request just over
/// a limit never reads as equal to it.
fn mib(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    if bytes.is_multiple_of(MIB) {
        return (bytes / MIB).to_string();
    }
    let tenths = bytes.saturating_mul(10).div_ceil(MIB);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Which part of a config node a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemTarget {
    Key,
    Value,
}

/// A problem the plugin found in a service's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub message: String,
    /// Keys and list indices from the service node down.
    pub path: Vec<String>,
    pub target: ProblemTarget,
    pub help: Option<String>,
}

/// Why `expose` or `render` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The plugin rejected the config.
    Config(Vec<ConfigProblem>),
    /// The plugin trapped.
    Trap(Trap),
    /// It returned something the host refuses (a path escaping the bundle, too much output).
    Output(OutputError),
}

/// Artifacts the host refuses. Displayed as a clause about the plugin ("returned …"), to
/// follow "it ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputError {
    /// A host path that does not start with `/`.
    RelativeHostPath(String),
    /// An absolute host path that is not normal.
    HostPath { path: String, problem: PathProblem },
    /// An absolute path where a path relative to the bundle belongs.
    AbsolutePath(String),
    /// A relative path that is not normal.
    Path { path: String, problem: PathProblem },
    /// Two artifacts for one path.
    Duplicate(String),
    /// Permission bits beyond `0o7777`.
    InvalidMode(u32),
    /// More bytes of files, objects and values in all than the limit.
    TooLarge { limit: usize },
}

/// What makes a path other than normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    Nul,
    Backslash,
    /// An empty, `.` or `..` segment.
    Segment,
    /// A `/` in a name that must be one segment.
    Separator,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::RelativeHostPath(path) => {
                write!(f, "returned host path `{}`, which is not absolute", printable(path))
            }
            OutputError::HostPath { path, problem } => {
                write!(f, "returned host path `{}`, which {problem}", printable(path))
            }
            OutputError::AbsolutePath(path) => {
                write!(f, "returned absolute path `{}` where a relative one belongs", printable(path))
            }
            OutputError::Path { path, problem } => write!(f, "returned path `{}`, which {problem}", printable(path)),
            OutputError::Duplicate(path) => write!(f, "returned two artifacts for `{path}`"),
            OutputError::InvalidMode(mode) => write!(f, "returned an invalid file mode {mode:o}"),
            OutputError::TooLarge { limit } => write!(f, "returned more than {} MiB of output", limit >> 20),
        }
    }
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathProblem::Nul => "contains NUL",
            PathProblem::Backslash => "contains a backslash",
            PathProblem::Segment => "has an empty, `.` or `..` segment",
            PathProblem::Separator => "is a name, not a path, but contains `/`",
        })
    }
}

/// Paths in messages, with control characters escaped.
fn printable(path: &str) -> String {
    path.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_requests_just_over_the_limit_read_as_more() {
        let trap = Trap::OutOfMemory { requested: (256 << 20) + (64 << 10), limit: 256 << 20 };
        assert_eq!(trap.to_string(), "asked for 256.1 MiB of memory; the limit is 256 MiB");
        assert_eq!(mib(258 << 20), "258");
        assert_eq!(mib((1 << 20) + 1), "1.1");
    }
}
