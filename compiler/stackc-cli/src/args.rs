//! Command-line arguments (clap derive only; no logic here).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  stackc build stacks/welltory.kdl
  stackc build stacks/welltory.kdl --set redis_nodes=5
  stackc check stacks/web-tls.kdl
  stackc plugins

Exit codes:
  0  success
  1  the stack has errors (reported as diagnostics; nothing was written)
  2  usage error, or the bundle could not be written";

const ABOUT: &str = "Compile a KDL stack description through sandboxed plugins into a content-addressed \
bundle of config files, Ansible playbooks, units and manifests";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "stackc", version, about = ABOUT, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Threads for rendering services (default: one per core).
    #[arg(short = 'j', long, global = true, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a stack into a bundle under `out/<stack>/<digest>/`.
    #[command(after_help = "Example:\n  stackc build stacks/web-tls.kdl --set proxy_address=10.0.0.12")]
    Build(BuildArgs),
    /// Check a stack without writing anything.
    Check(StackArgs),
    /// List the plugins stackc can use.
    Plugins,
}

#[derive(Debug, clap::Args)]
pub struct StackArgs {
    /// The stack file.
    pub stack: PathBuf,
    /// Override a `param`: `--set name=value` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Where bundles go.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Print the time spent in each phase to stderr.
    #[arg(long)]
    pub timings: bool,
}
