//! Command-line arguments (clap derive only; no logic here).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  stackc build stacks/welltory.kdl
  stackc build stacks/welltory.kdl --set redis_nodes=5
  stackc check stacks/web-tls.kdl stacks/welltory.kdl
  stackc check stacks/web-tls.kdl --format json
  stackc render stacks/web-tls.kdl --service proxy
  stackc gc --keep 3
  stackc plugins
  stackc plugin new hello && stackc plugin build hello
  stackc diff --base origin/main stacks/web-tls.kdl
  stackc graph stacks/web-tls.kdl --format mermaid
  stackc docs nginx
  stackc fmt --check stacks
  stackc explain resolve::unknown-plugin

Exit codes:
  0  success
  1  the stack has errors (reported as diagnostics; nothing was written), or for
     `diff` and `build --check`: the outputs differ
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

    /// Print errors only: no summaries, no progress line. `diff` prints nothing at all and
    /// answers with its exit status, like `git diff --quiet`.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a stack into a bundle under `out/<stack>/<digest>/`.
    #[command(after_help = "Example:\n  stackc build stacks/web-tls.kdl --set proxy_address=10.0.0.12")]
    Build(BuildArgs),
    /// Check stacks without writing anything.
    #[command(
        after_help = "Examples:\n  stackc check stacks/*.kdl\n  stackc check stacks/web-tls.kdl --set proxy_address=10.0.0.12 --deny warnings"
    )]
    Check(CheckArgs),
    /// Print a stack's rendered files, as the bundle would hold them, without writing it.
    #[command(after_help = RENDER_HELP)]
    Render(RenderArgs),
    /// Remove old bundles under `out/<stack>/`, never the one `current` points at.
    #[command(after_help = "Examples:\n  stackc gc\n  stackc gc web-tls --keep 1")]
    Gc(GcArgs),
    /// List the built-in plugins.
    #[command(
        after_help = "Example:\n  stackc plugins\n\nThen `stackc docs NAME` for what a plugin's service blocks accept."
    )]
    Plugins,
    /// Write your own plugin: scaffold a crate, build it into a component.
    #[command(subcommand, after_help = "Example:\n  stackc plugin new hello && stackc plugin build hello")]
    Plugin(PluginCommand),
    /// Compare two bundles: services changed, added, removed, and unified diffs of their files.
    ///
    /// Each side is a bundle directory, a `manifest.toml`, a digest record
    /// (`<stack>.digests.toml`: digests only), or a stack file (built in memory).
    /// With `--base REV`, give one stack file: its build at the git revision REV (read from
    /// git objects, the work tree untouched) is compared with its build from the work tree.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Draw a stack's hosts, services and the references between them.
    #[command(
        after_help = "Examples:\n  stackc graph stacks/web-tls.kdl | dot -Tsvg > web-tls.svg\n  stackc graph stacks/web-tls.kdl --format mermaid"
    )]
    Graph(GraphArgs),
    /// Print the JSON Schema of a plugin's config: every key its service blocks accept.
    #[command(after_help = "Examples:\n  stackc schema nginx\n  stackc schema hello/target/stackc/hello.wasm")]
    Schema(SchemaArgs),
    /// Write the Markdown reference of plugins' configs, generated from their schemas.
    #[command(after_help = DOCS_HELP)]
    Docs(DocsArgs),
    /// Print a completion script for a shell.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Rewrite stack files in the canonical layout, comments kept; `--check` only lists them.
    #[command(after_help = FMT_HELP)]
    Fmt(FmtArgs),
    /// Explain a diagnostic code: what is wrong, an example that triggers it, and the fix.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(ExplainArgs),
    /// Language server for editors: diagnostics, hover, completion, definition in stack files.
    ///
    /// Speaks the Language Server Protocol on stdin and stdout: diagnostics as you type (those
    /// of `stackc check`, unsaved text included), hover on config keys, references and params,
    /// completion of plugin names, config keys, references and params, and go to definition.
    #[command(after_help = LSP_HELP)]
    Lsp(LspArgs),
}

const FMT_HELP: &str = "\
Examples:
  stackc fmt stacks/web-tls.kdl
  stackc fmt --check stacks examples

A directory means every `.kdl` file under it (hidden directories, target/, out/, node_modules/
and third_party/ skipped); no PATH means the current directory. Formatting changes layout and
never meaning: the bundle's digests stay the same.

Exit codes: 0 formatted (or, with --check, nothing to format), 1 a file is not valid KDL or,
with --check, would change, 2 a file could not be read or written.";

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Stack files or directories.
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

const COMPLETIONS_HELP: &str = "\
Examples:
  stackc completions bash > /etc/bash_completion.d/stackc
  stackc completions zsh > \"${fpath[1]}/_stackc\"
  stackc completions fish > ~/.config/fish/completions/stackc.fish";

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

const DOCS_HELP: &str = "\
Examples:
  stackc docs nginx | less
  stackc docs --out docs/plugins
  stackc docs hello/target/stackc/hello.wasm --out hello/docs

Without PLUGIN, every built-in (and, with --out, an index README.md).";

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a plugin crate: config struct, template, native test, README.
    #[command(after_help = "Example:\n  stackc plugin new hello\n  stackc plugin build hello")]
    New(PluginNewArgs),
    /// Build a plugin crate into a WebAssembly component and verify it; prints its sha256.
    #[command(after_help = "Examples:\n  stackc plugin build hello\n  cd hello && stackc plugin build")]
    Build(PluginBuildArgs),
    /// Publish a plugin to an OCI registry, signed with an SSH key; prints the declaration.
    #[command(after_help = PUBLISH_HELP)]
    Publish(PluginPublishArgs),
    /// Pull a published plugin into stackc's cache, ahead of an offline (`--locked`) build.
    #[command(after_help = "Example:\n  stackc plugin pull registry.example.org/plugins/hello:1.0.0")]
    Pull(PluginPullArgs),
    /// Show what a plugin is: name, version, WIT version, imports, digest, signature, config schema.
    #[command(after_help = INSPECT_HELP)]
    Inspect(PluginInspectArgs),
}

const PUBLISH_HELP: &str = "\
Examples:
  stackc plugin publish hello registry.example.org/plugins/hello:1.0.0 --sign-key ~/.ssh/id_ed25519
  stackc plugin publish hello.wasm registry.example.org/plugins/hello:1.0.0 --signature hello.wasm.sig

Credentials come from STACKC_REGISTRY_USERNAME and STACKC_REGISTRY_PASSWORD, else from the
Docker config (`docker login`). Registries on this machine (localhost, 127.0.0.0/8) are reached
over plain HTTP, every other over HTTPS.";

const INSPECT_HELP: &str = "\
Examples:
  stackc plugin inspect nginx
  stackc plugin inspect hello/target/stackc/hello.wasm
  stackc plugin inspect registry.example.org/plugins/hello:1.0.0";

#[derive(Debug, clap::Args)]
pub struct PluginPublishArgs {
    /// A plugin crate (built first) or a component file.
    pub plugin: PathBuf,
    /// Where to publish: `registry/repository:tag`.
    pub reference: String,
    /// Sign the component with this unencrypted OpenSSH Ed25519 private key.
    #[arg(long, value_name = "KEY", conflicts_with = "signature")]
    pub sign_key: Option<PathBuf>,
    /// Publish this signature of the component, as `ssh-keygen -Y sign -n stackc-plugin` writes it.
    #[arg(long, value_name = "FILE")]
    pub signature: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PluginPullArgs {
    /// `registry/repository:tag` or `registry/repository@sha256:…`.
    pub reference: String,
}

#[derive(Debug, clap::Args)]
pub struct PluginInspectArgs {
    /// A built-in plugin's name, a component file, or a registry reference.
    pub plugin: String,
}

#[derive(Debug, clap::Args)]
pub struct PluginNewArgs {
    /// The plugin's name, as services will write it in `plugin="NAME"`.
    pub name: String,
    /// The crate's directory (default: `./NAME`).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// The SDK to depend on (default: the stackc checkout this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub sdk: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PluginBuildArgs {
    /// The plugin crate.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const DIFF_HELP: &str = "\
Examples:
  stackc diff out/web-tls/<old digest> out/web-tls/current
  stackc diff --base HEAD~1 stacks/web-tls.kdl --format markdown

Exit codes (like `git diff --exit-code`):
  0  identical
  1  different
  2  usage error, unreadable input, or a stack with errors";

/// Output formats of `stackc diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD and NEW: bundle directories, manifests, digest records or stack files; or one stack
    /// file with `--base`.
    #[arg(value_names = ["OLD", "NEW"], num_args = 1..=2, required = true)]
    pub sides: Vec<PathBuf>,
    /// Compare the stack as of this git revision with the work tree's.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Only the table of services, no file diffs.
    #[arg(long)]
    pub stat: bool,
    /// List unchanged services and targets too (by default they are one count line).
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Param values for stack files on either side.
    #[command(flatten)]
    pub params: ParamArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The stack files; each is checked on its own.
    #[arg(required = true, value_name = "STACK")]
    pub stacks: Vec<PathBuf>,
    /// Param values for every stack checked.
    #[command(flatten)]
    pub params: ParamArgs,
    /// `--deny warnings`: a warning (a param, secret or host nothing uses) fails the run.
    #[arg(long = "deny", value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,
    /// `json`: diagnostics as JSON Lines on stdout, for CI annotations and editors.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiagnosticFormat,
}

/// What `--deny` turns into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

const RENDER_HELP: &str = "\
Examples:
  stackc render stacks/web-tls.kdl --service proxy
  stackc render stacks/web-tls.kdl --file hosts/proxy1/etc/nginx/conf.d/proxy.conf
  stackc render stacks/web-tls.kdl --service proxy --config

One file is printed as is; several each after a `==> PATH <==` line.";

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Only the files this service rendered.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Only this file: its path in the bundle, as `manifest.toml` lists it.
    #[arg(long, value_name = "PATH")]
    pub file: Option<String>,
    /// Print the service's config as its plugin receives it (JSON, references and secrets by
    /// name) instead of files: what `stackc schema PLUGIN` describes.
    #[arg(long, requires = "service", conflicts_with = "file")]
    pub config: bool,
}

const LSP_HELP: &str = "\
Example:
  stackc lsp

An editor starts it and talks to it over its stdin and stdout. In Neovim 0.8 or later (init.lua;
docs/editors.md also sets up Neovim 0.7, VS Code and other editors):
  vim.api.nvim_create_autocmd('FileType', { pattern = 'kdl', callback = function()
    vim.lsp.start({ name = 'stackc', cmd = { 'stackc', 'lsp' } })
  end })";

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for clients that pass it (VS Code's `languageclient`): stdio is the only
    /// transport.
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Debug, clap::Args)]
pub struct GcArgs {
    /// Stack names (as under `out/`; default: every stack there).
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Besides the bundle `current` points at, keep the N most recently written.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub keep: usize,
    /// Where bundles are.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

/// Output formats of `stackc graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// A built-in plugin's name, or the path of a plugin component (`.wasm`).
    pub plugin: String,
}

#[derive(Debug, clap::Args)]
pub struct DocsArgs {
    /// Built-in plugin names or component paths (default: every built-in).
    #[arg(value_name = "PLUGIN")]
    pub plugins: Vec<String>,
    /// Write `<plugin>.md` files into this directory instead of printing them.
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

const EXPLAIN_HELP: &str = "\
Examples:
  stackc explain stackc::resolve::unknown-plugin
  stackc explain resolve::unknown-plugin

An unknown code exits with 2.";

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code a diagnostic starts with, such as `stackc::resolve::unknown-plugin`; the
    /// `stackc::` may be left out.
    #[arg(value_name = "CODE")]
    pub code: String,
}

#[derive(Debug, clap::Args)]
pub struct StackArgs {
    /// The stack file.
    pub stack: PathBuf,
    #[command(flatten)]
    pub params: ParamArgs,
    /// `--deny warnings`: a warning (a param, secret or host nothing uses) fails the build.
    #[arg(long = "deny", value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,
    /// How diagnostics are reported: set from `--format` of the commands that have it.
    #[arg(skip)]
    pub format: DiagnosticFormat,
}

/// How diagnostics are reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Code frames on stderr.
    #[default]
    Text,
    /// One JSON object per diagnostic on stdout (code, severity, message, file, line, column,
    /// byte span, label, help, secondary labels), and nothing else there.
    Json,
}

/// Param values from the command line: `--values` files, then `--set`s.
#[derive(Debug, Clone, clap::Args)]
pub struct ParamArgs {
    /// Override a `param`: `--set name=value` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Read param values from a KDL file of `name value` lines, before `--set` (repeatable).
    #[arg(long = "values", value_name = "FILE")]
    pub values: Vec<String>,
}

impl StackArgs {
    /// What of the command line a build depends on besides the files it reads: the
    /// `--values` files (by name; their contents are read like the stack's) and the `--set`s,
    /// in order.
    pub fn record_inputs(&self) -> Vec<String> {
        let ParamArgs { set, values } = &self.params;
        values.iter().map(|v| format!("--values={v}")).chain(set.iter().cloned()).collect()
    }
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
    /// Also write the digests per service, per target and the root to the record file.
    #[arg(long, conflicts_with = "check")]
    pub record: bool,
    /// Write nothing; exit 1 when the digests differ from the record file, listing the difference.
    #[arg(long)]
    pub check: bool,
    /// The record file (default: `<stack>.digests.toml` beside the stack file).
    #[arg(long, value_name = "FILE")]
    pub digests: Option<PathBuf>,
    /// Fail instead of updating `stackc.lock` when the plugins used would change it.
    #[arg(long)]
    pub locked: bool,
    /// Say how each plugin was loaded (built in, compile cache hit, compiled), how many
    /// services were rendered or reused, and list every service however many there are.
    #[arg(short, long)]
    pub verbose: bool,
    /// `json`: diagnostics as JSON Lines on stdout (and no summary), for CI annotations and
    /// editors.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiagnosticFormat,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    /// Every command's `--help` ends with an example of its use.
    #[test]
    fn every_subcommand_has_an_example() {
        fn visit(command: &mut clap::Command, path: &str, missing: &mut Vec<String>) {
            let help = command.render_long_help().to_string();
            if !help.contains("Example") {
                missing.push(path.to_owned());
            }
            for sub in command.get_subcommands_mut().filter(|s| s.get_name() != "help") {
                let name = format!("{path} {}", sub.get_name());
                visit(sub, &name, missing);
            }
        }
        let mut missing = Vec::new();
        visit(&mut Cli::command(), "stackc", &mut missing);
        assert!(missing.is_empty(), "no example in the help of: {}", missing.join(", "));
    }
}
