//! The sandbox against plugins that misbehave on purpose: every misbehaviour must end as an
//! error diagnostic that names the plugin and the service, with no bundle, in bounded time;
//! and components that ask for more than the sandbox gives must not load at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use stackc::diag::{Diagnostic, Severity};
use stackc::{Compilation, Limits, LoadError, Loaded, Options, Plugins, SourceError, SourceLoader, compile};
use stackc_test_plugins::{HOSTILE, HOSTILE_PANIC_MESSAGE, OTHER_WIT_VERSION, WASI_INTERFACE};

/// Stack files held in memory.
struct Memory(BTreeMap<String, String>);

impl SourceLoader for Memory {
    fn load(&self, path: &str, _from: Option<&str>) -> Result<Loaded, SourceError> {
        let text = self.0.get(path).ok_or_else(|| SourceError("no such file or directory".to_owned()))?;
        Ok(Loaded { key: path.to_owned(), name: path.to_owned(), text: text.clone() })
    }
}

/// The built-in plugins plus `hostile`, with the default limits. Loaded once: compiling the
/// component with Cranelift is the slow part.
fn plugins() -> &'static Plugins {
    static PLUGINS: OnceLock<Plugins> = OnceLock::new();
    PLUGINS.get_or_init(|| {
        let mut plugins = Plugins::builtin(Limits::default()).unwrap_or_else(|(name, e)| panic!("{name}: {e}"));
        let loaded = plugins.add(HOSTILE, "test").unwrap_or_else(|e| panic!("the hostile plugin does not load: {e}"));
        assert_eq!(loaded.plugin.info().name, "hostile");
        plugins
    })
}

/// One service of the `hostile` plugin, doing `behaviour` when rendered.
fn stack(behaviour: &str) -> String {
    format!(
        r#"stack "sandbox"

host "h1" address="10.0.0.1"

service "victim" plugin="hostile" on="h1" {{
    behaviour "{behaviour}"
}}
"#
    )
}

/// Compiles the one-service stack, timing `compile` alone.
fn compile_behaviour(behaviour: &str) -> (Compilation, Duration) {
    let plugins = plugins();
    let loader = Memory(BTreeMap::from([("stack.kdl".to_owned(), stack(behaviour))]));
    let start = Instant::now();
    let compilation = compile(
        &Options { root: "stack.kdl", values: &[], overrides: &[], render_cache: None, progress: None },
        &loader,
        plugins,
    );
    (compilation, start.elapsed())
}

/// Diagnostics as plain text: code, message, where, labels, help.
fn render(compilation: &Compilation) -> String {
    let mut out = String::new();
    for d in compilation.diagnostics.clone().into_sorted() {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(out, "{severity}[{}]: {}", d.code, d.message).expect("write to string");
        if let Some(span) = d.span {
            let (line, col) = compilation.sources.line_col(span);
            let file = &compilation.sources.get(span.file).name;
            writeln!(out, "  --> {file}:{line}:{col}: {}", d.label).expect("write to string");
        }
        for label in &d.secondary {
            let (line, col) = compilation.sources.line_col(label.span);
            writeln!(out, "  --- {line}:{col}: {}", label.message).expect("write to string");
        }
        if let Some(help) = &d.help {
            writeln!(out, "  help: {help}").expect("write to string");
        }
    }
    out
}

/// Compiles `behaviour`, checks that it failed with one error that names the plugin and
/// the service, and returns that error, the rendered diagnostics and the time taken.
fn refused(behaviour: &str) -> (Diagnostic, String, Duration) {
    let (compilation, time) = compile_behaviour(behaviour);
    let text = render(&compilation);
    assert!(compilation.bundle.is_none(), "`{behaviour}` produced a bundle:\n{text}");
    let errors: Vec<Diagnostic> =
        compilation.diagnostics.clone().into_sorted().into_iter().filter(Diagnostic::is_error).collect();
    assert_eq!(errors.len(), 1, "`{behaviour}`: expected one error:\n{text}");
    let error = errors.into_iter().next().expect("one error");
    assert!(error.message.contains("plugin `hostile`"), "`{behaviour}`: the plugin is not named:\n{text}");
    assert!(error.message.contains("service `victim`"), "`{behaviour}`: the service is not named:\n{text}");
    assert!(error.span.is_some(), "`{behaviour}`: the error points nowhere:\n{text}");
    (error, text, time)
}

/// Snapshots the rendered diagnostics, with source line numbers of the guest masked.
fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ filters => vec![(r"lib\.rs:\d+", "lib.rs:[LINE]")] }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn endless_loop_runs_out_of_fuel_quickly() {
    let (error, text, time) = refused("loop");
    assert_eq!(error.code, "stackc::plugin::trap");
    assert!(error.message.contains("ran out of fuel"), "{text}");
    eprintln!("loop: stopped after {time:?}");
    assert!(time < Duration::from_secs(2), "the endless loop took {time:?} to stop");
    snapshot("loop", &text);
}

#[test]
fn unbounded_allocation_hits_the_memory_limit() {
    let (error, text, _) = refused("oom");
    assert_eq!(error.code, "stackc::plugin::trap");
    assert!(error.message.contains("memory") && error.message.contains("the limit is 256 MiB"), "{text}");
    snapshot("oom", &text);
}

#[test]
fn unbounded_recursion_overflows_the_stack() {
    let (error, text, _) = refused("recurse");
    assert_eq!(error.code, "stackc::plugin::trap");
    assert!(error.message.contains("overflowed its stack"), "{text}");
    snapshot("recurse", &text);
}

#[test]
fn unbounded_recursion_with_large_frames_overflows_the_stack() {
    let (error, text, _) = refused("recurse-large-frames");
    assert_eq!(error.code, "stackc::plugin::trap");
    assert!(error.message.contains("overflowed its stack"), "{text}");
    snapshot("recurse-large-frames", &text);
}

#[test]
fn panic_message_reaches_the_user() {
    let (error, text, _) = refused("panic");
    assert_eq!(error.code, "stackc::plugin::trap");
    assert!(error.message.contains("panicked"), "{text}");
    assert!(error.message.contains(HOSTILE_PANIC_MESSAGE), "{text}");
    snapshot("panic", &text);
}

#[test]
fn host_paths_that_escape_are_refused() {
    for (behaviour, path, why) in [
        ("dotdot-path", "/etc/../x", "`..` segment"),
        ("relative-path", "etc/hostile.conf", "not absolute"),
        ("nul-path", "/etc/hostile\\0.conf", "NUL"),
        ("backslash-path", "/etc\\\\hostile.conf", "backslash"),
    ] {
        let (error, text, _) = refused(behaviour);
        assert_eq!(error.code, "stackc::plugin::output", "{text}");
        assert!(error.message.contains(&format!("`{path}`")), "`{behaviour}` does not name `{path}`:\n{text}");
        assert!(error.message.contains(why), "`{behaviour}` does not say {why}:\n{text}");
        snapshot(behaviour, &text);
    }
}

#[test]
fn bundle_paths_that_escape_the_bundle_are_refused() {
    for (behaviour, path) in [("absolute-bundle-path", "/etc/passwd"), ("dotdot-bundle-path", "../../escaped")] {
        let (error, text, _) = refused(behaviour);
        assert_eq!(error.code, "stackc::plugin::output", "{text}");
        assert!(error.message.contains(&format!("`{path}`")), "`{behaviour}` does not name `{path}`:\n{text}");
        snapshot(behaviour, &text);
    }
}

#[test]
fn two_artifacts_with_one_path_are_refused() {
    let (error, text, _) = refused("duplicate-path");
    assert_eq!(error.code, "stackc::plugin::output");
    assert!(error.message.contains("two artifacts for `/etc/hostile.conf`"), "{text}");
    snapshot("duplicate-path", &text);
}

#[test]
fn huge_output_is_stopped() {
    let (error, text, _) = refused("huge-output");
    let by_memory = error.code == "stackc::plugin::trap" && error.message.contains("the limit is 256 MiB");
    let by_output = error.code == "stackc::plugin::output" && error.message.contains("MiB of output");
    assert!(by_memory || by_output, "{text}");
    snapshot("huge-output", &text);
}

#[test]
fn output_beyond_the_limit_is_refused() {
    let (error, text, _) = refused("big-output");
    assert_eq!(error.code, "stackc::plugin::output");
    assert!(error.message.contains("returned more than 64 MiB of output"), "{text}");
    snapshot("big-output", &text);
}

#[test]
fn a_well_behaved_render_is_deterministic() {
    let (first, _) = compile_behaviour("ok");
    let (second, _) = compile_behaviour("ok");
    assert!(first.bundle.is_some(), "no bundle:\n{}", render(&first));
    let (first, second) = (first.bundle.expect("a bundle"), second.bundle.expect("a bundle the second time too"));
    let file = first.files.iter().find(|f| f.path.ends_with("etc/hostile/ok.conf"));
    let file =
        file.unwrap_or_else(|| panic!("no ok.conf in {:?}", first.files.iter().map(|f| &f.path).collect::<Vec<_>>()));
    assert_eq!(file.contents, b"rendered for victim\n");
    assert_eq!(first.files, second.files);
    assert_eq!(first.root(), second.root());
}

#[test]
fn a_plugin_importing_wasi_does_not_load() {
    let mut plugins = Plugins::builtin(Limits::default()).unwrap_or_else(|(name, e)| panic!("{name}: {e}"));
    let before = plugins.names().len();
    match plugins.add(&stackc_test_plugins::wasi_component(), "test") {
        Err(LoadError::ForbiddenImports(names)) => assert_eq!(names, [WASI_INTERFACE]),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(loaded) => panic!("loaded `{}`", loaded.plugin.info().name),
    }
    assert_eq!(plugins.names().len(), before);
}

#[test]
fn a_plugin_built_against_another_wit_version_does_not_load() {
    let mut plugins = Plugins::builtin(Limits::default()).unwrap_or_else(|(name, e)| panic!("{name}: {e}"));
    match plugins.add(&stackc_test_plugins::wit_version_component(), "test") {
        Err(LoadError::WitVersion { found, supported }) => {
            assert_eq!(found, OTHER_WIT_VERSION);
            assert_eq!(supported, stackc::WIT_VERSION);
        }
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(loaded) => panic!("loaded `{}`", loaded.plugin.info().name),
    }
}
