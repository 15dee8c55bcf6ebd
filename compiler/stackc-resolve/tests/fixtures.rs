//! Golden tests: every `resources/valid/*.kdl` resolves without diagnostics and its model is
//! snapshotted; every `resources/invalid/*.kdl` is snapshotted with its diagnostics.
//! Files named `*-*.kdl` after a valid fixture's stem are includes, not fixtures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use stackc_diag::Sources;
use stackc_model::{Placement, SecretSource, Stack, Value, ValueKind};
use stackc_resolve::{Data, Input, LoadError, Loaded, SourceLoader, resolve};

/// Loads fixtures from one resources directory, by file name.
struct Dir<'a>(&'a Path);

impl SourceLoader for Dir<'_> {
    fn load(&self, path: &str, _from: Option<&str>) -> Result<Loaded, LoadError> {
        let text =
            std::fs::read_to_string(self.0.join(path)).map_err(|_| LoadError("no such file or directory".into()))?;
        Ok(Loaded { key: path.to_owned(), name: path.to_owned(), text })
    }

    fn load_data(&self, path: &str, _from: &str, _root: &str) -> Result<Data, LoadError> {
        let full = self.0.join(path);
        let unreadable = |_| LoadError("no such file or directory".into());
        if !full.is_dir() {
            return std::fs::read(&full).map(Data::File).map_err(unreadable);
        }
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&full).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let bytes = std::fs::read(entry.path()).map_err(unreadable)?;
            files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
        }
        files.sort();
        Ok(Data::Dir(files))
    }
}

fn fixtures(kind: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources").join(kind);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("resources dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let stems: Vec<String> = names.iter().map(|n| n.trim_end_matches(".kdl").to_owned()).collect();
    names.retain(|n| !stems.iter().any(|s| n.starts_with(&format!("{s}-"))));
    names
}

fn run(kind: &str, name: &str) -> (Sources, Option<Stack>, Vec<stackc_diag::Diagnostic>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources").join(kind);
    let plugins = ["nginx"];
    let resolved = resolve(&Input { root: name, values: &[], overrides: &[], plugins: &plugins }, &Dir(&dir));
    (resolved.sources, resolved.stack, resolved.diagnostics.into_sorted())
}

/// Valid fixtures have no errors; their warnings (declarations nothing uses) are part of the
/// snapshot.
#[test]
fn valid() {
    for name in fixtures("valid") {
        let (sources, stack, diagnostics) = run("valid", &name);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{name}: {diagnostics:#?}");
        let mut text = dump(&sources, &stack.expect("a stack"));
        for d in &diagnostics {
            let (line, col) = sources.line_col(d.span.expect("a span"));
            writeln!(
                text,
                "warning {}:{line}:{col}: {} [{}]",
                sources.get(d.span.expect("a span").file).name,
                d.message,
                d.code
            )
            .unwrap();
        }
        insta::assert_snapshot!(format!("valid@{name}"), text);
    }
}

#[test]
fn invalid() {
    for name in fixtures("invalid") {
        let (sources, _, diagnostics) = run("invalid", &name);
        assert!(!diagnostics.is_empty(), "{name} should have errors");
        let mut text = String::new();
        let at = |s| {
            let (line, col) = sources.line_col(s);
            format!("{}:{line}:{col} `{}`", sources.get(s.file).name, sources.slice(s))
        };
        for d in &diagnostics {
            writeln!(text, "{}: {} [{}]", d.span.map_or("-".to_owned(), at), d.message, d.code).unwrap();
            for label in &d.secondary {
                writeln!(text, "    also {}: {}", at(label.span), label.message).unwrap();
            }
            if let Some(help) = &d.help {
                writeln!(text, "    help: {help}").unwrap();
            }
        }
        insta::assert_snapshot!(format!("invalid@{name}"), text);
    }
}

/// A compact, stable rendering of the model with source positions.
fn dump(sources: &Sources, stack: &Stack) -> String {
    let at = |span| {
        let (line, col) = sources.line_col(span);
        format!("{}:{line}:{col}", sources.get(span.file).name)
    };
    let mut out = format!("stack {} @{} {:?}\n", stack.name.value, at(stack.name.span), stack.description);
    for p in &stack.params {
        writeln!(
            out,
            "param {}: {} = {} min={:?} max={:?} @{}",
            p.name.value,
            p.ty.name(),
            value(&p.value),
            p.min,
            p.max,
            at(p.span)
        )
        .unwrap();
    }
    for s in &stack.secrets {
        let source = match &s.source {
            SecretSource::Vault { variable } => format!("vault {variable}"),
            SecretSource::Env { variable } => format!("env {variable}"),
            SecretSource::KubeSecret { name, key } => format!("kube-secret {name}/{key}"),
        };
        writeln!(out, "secret {}: {source} @{}", s.name.value, at(s.span)).unwrap();
    }
    for h in &stack.hosts {
        let groups: Vec<&str> = h.groups.iter().map(|g| g.value.as_str()).collect();
        writeln!(
            out,
            "host {} {} groups={groups:?} labels={:?} @{}",
            h.name.value,
            h.address.value,
            h.labels,
            at(h.span)
        )
        .unwrap();
    }
    let groups: BTreeMap<&str, Vec<&str>> =
        stack.groups().into_iter().map(|(g, hs)| (g, hs.iter().map(|h| h.name.value.as_str()).collect())).collect();
    writeln!(out, "groups {groups:?}").unwrap();
    if let Some(c) = &stack.compose {
        let networks: Vec<String> = c
            .networks
            .iter()
            .map(|n| format!("{}{}", n.name.value, if n.internal { " (internal)" } else { "" }))
            .collect();
        writeln!(out, "compose {} networks={networks:?} @{}", c.name.value, at(c.span)).unwrap();
    }
    for p in &stack.plugins {
        let origin = match &p.origin {
            stackc_model::PluginOrigin::Path(path) => format!("path={}", path.value),
            stackc_model::PluginOrigin::Oci(reference) => format!("oci={}", reference.value),
        };
        writeln!(out, "plugin {} {origin} sha256={} @{}", p.name.value, p.sha256.value, at(p.span)).unwrap();
        for key in &p.signed_by {
            writeln!(out, "  signed-by {:?}", key.value).unwrap();
        }
    }
    for s in &stack.services {
        let placement = match &s.placement {
            Placement::Cluster => "cluster".to_owned(),
            Placement::Host(h) => format!("host {}", h.value),
            Placement::Group(g) => format!("group {}", g.value),
            Placement::Compose(p) => format!("compose {}", p.value),
        };
        let hosts: Vec<&str> = s.hosts.iter().map(|&i| stack.hosts[i].name.value.as_str()).collect();
        writeln!(out, "service {} plugin={} on {placement} -> {hosts:?} @{}", s.name.value, s.plugin.value, at(s.span))
            .unwrap();
        writeln!(out, "  config {}", value(&s.config)).unwrap();
    }
    out
}

fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::Null => "null".to_owned(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => f.to_string(),
        ValueKind::String(s) => format!("{s:?}"),
        ValueKind::List(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
        ValueKind::Map(map) => format!(
            "{{{}}}",
            map.entries.iter().map(|(k, e)| format!("{k:?}: {}", value(&e.value))).collect::<Vec<_>>().join(", ")
        ),
        ValueKind::Ref(r) => format!("ref({}.{})", r.service, r.export),
        ValueKind::Secret(s) => format!("secret({})", s.value),
    }
}
