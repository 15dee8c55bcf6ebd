//! One module per subcommand; each returns an exit status.

mod build;
mod check;
mod completions;
mod diff;
mod docs;
mod explain;
mod fmt;
mod gc;
mod graph;
mod lsp;
mod plugin;
mod render;
mod schema;

use stackc::{Limits, Plugins};

use crate::args::{Cli, Command, DiagnosticFormat};
use crate::report::Ending;

/// Exit statuses, as documented in `stackc --help`, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    Success = 0,
    /// The stack has errors.
    Failure = 1,
    /// Usage or environment error.
    Error = 2,
}

pub fn dispatch(cli: Cli) -> ExitStatus {
    if let Some(jobs) = cli.jobs {
        // Only fails if a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global();
    }
    match cli.command {
        Command::Build(mut args) => {
            args.stack.format = args.format;
            build::run(&args, cli.quiet || args.format == DiagnosticFormat::Json)
        }
        Command::Check(args) => check::run(&args, cli.quiet || args.format == DiagnosticFormat::Json),
        Command::Render(args) => render::run(&args),
        Command::Gc(args) => gc::run(&args, cli.quiet),
        Command::Plugins => plugin::list::run(),
        Command::Plugin(command) => plugin::run(&command),
        Command::Diff(args) => diff::run(&args, cli.quiet),
        Command::Graph(args) => graph::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Fmt(args) => fmt::run(&args, cli.quiet),
        Command::Explain(args) => explain::run(&args),
        Command::Lsp(_) => lsp::run(),
    }
}

/// The built-in plugins, with third-party components compiled through the disk cache; or
/// an error message and status.
fn load_plugins() -> Result<Plugins, ExitStatus> {
    let plugins = Plugins::builtin(Limits::default()).map_err(|(name, error)| {
        eprintln!("error: built-in plugin `{name}` cannot be loaded: {error}");
        ExitStatus::Error
    })?;
    Ok(match crate::cache::DiskCache::from_env() {
        Some(cache) => plugins.with_cache(Box::new(cache)),
        None => plugins,
    })
}

/// What the plugin `spec` says of itself: a built-in's name, or the path of a component
/// (`….wasm`), loaded as a stack would load it.
fn plugin_named(plugins: &mut Plugins, spec: &str) -> Result<stackc::PluginInfo, ExitStatus> {
    if spec.ends_with(".wasm") || spec.contains('/') {
        let bytes = std::fs::read(spec).map_err(|error| {
            eprintln!("error: cannot read plugin component `{spec}`: {error}");
            ExitStatus::Error
        })?;
        return match plugins.add(&bytes, spec) {
            Ok(loaded) => Ok(loaded.plugin.info().clone()),
            Err(error) => {
                eprintln!("error: `{spec}` is not a plugin stackc can load: {error}");
                Err(ExitStatus::Error)
            }
        };
    }
    match plugins.load(spec) {
        Some(Ok(loaded)) => Ok(loaded.plugin.info().clone()),
        Some(Err(error)) => {
            eprintln!("error: built-in plugin `{spec}` cannot be loaded: {error}");
            Err(ExitStatus::Error)
        }
        None => {
            let names = plugins.names();
            let hint = stackc::diag::suggest(spec, names.iter().copied())
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            eprintln!(
                "error: no built-in plugin `{spec}`{hint} (`stackc plugins` lists them; give a path for a component)"
            );
            Err(ExitStatus::Error)
        }
    }
}

/// The JSON Schema `info` describes its plugin's config with.
fn config_schema(info: &stackc::PluginInfo) -> Result<serde_json::Value, ExitStatus> {
    serde_json::from_str(&info.config_schema).map_err(|error| {
        eprintln!("error: plugin `{}` describes its config with a schema that is not JSON: {error}", info.name);
        ExitStatus::Error
    })
}

/// Loads the built-in plugins and compiles the stack named by `args`, for commands that
/// compile one stack.
fn load_and_compile(args: &crate::args::StackArgs) -> Result<stackc::Compilation, ExitStatus> {
    compile(args, &load_plugins()?)
}

/// Compiles the stack named by `args` and reports its diagnostics on stderr.
fn compile(args: &crate::args::StackArgs, plugins: &Plugins) -> Result<stackc::Compilation, ExitStatus> {
    compile_with(args, plugins, &crate::loader::FsLoader::ONLINE, None, None, Ending::Count)
}

/// [`compile`] with sources from `loader`, reusing render results from `render_cache`,
/// counting in `progress`, and ending an error report with `ending`.
fn compile_with(
    args: &crate::args::StackArgs,
    plugins: &Plugins,
    loader: &dyn stackc::SourceLoader,
    render_cache: Option<&dyn stackc::CacheStore>,
    progress: Option<&stackc::Progress>,
    ending: Ending,
) -> Result<stackc::Compilation, ExitStatus> {
    let root = args.stack.to_string_lossy();
    let options = stackc::Options {
        root: &root,
        values: &args.params.values,
        overrides: &args.params.set,
        render_cache,
        progress,
    };
    let compilation = stackc::compile(&options, loader, plugins);
    let diagnostics = crate::fragment::explain(compilation.diagnostics.clone().into_sorted(), &compilation.sources);
    if !diagnostics.is_empty() {
        match args.format {
            DiagnosticFormat::Text => eprint!("{}", crate::report::render(&compilation.sources, &diagnostics, ending)),
            DiagnosticFormat::Json => {
                crate::stdout::print(&crate::report_json::render(&compilation.sources, &diagnostics));
            }
        }
    }
    if compilation.diagnostics.has_errors() {
        return Err(ExitStatus::Failure);
    }
    let warnings = diagnostics.iter().filter(|d| d.severity == stackc::diag::Severity::Warning).count();
    if warnings > 0 && args.deny.contains(&crate::args::Deny::Warnings) {
        let written = if ending == Ending::NothingWritten { "; nothing was written" } else { "" };
        eprintln!("error: {} denied (`--deny warnings`){written}", crate::wording::count(warnings, "warning"));
        return Err(ExitStatus::Failure);
    }
    Ok(compilation)
}
