//! `stackc render`: a stack's rendered files on stdout, as the bundle would hold them,
//! without writing a bundle (what `helm template` is to a chart).

use std::io::Write as _;

use stackc::bundle::{Bundle, File, Producer};
use stackc::diag::did_you_mean;

use super::{ExitStatus, load_and_compile};
use crate::args::RenderArgs;

pub fn run(args: &RenderArgs) -> ExitStatus {
    let compilation = match load_and_compile(&args.stack) {
        Ok(c) => c,
        Err(status) => return status,
    };
    if let (true, Some(service)) = (args.config, &args.service) {
        return print_config(compilation.stack.as_ref().expect("no errors means a stack"), service);
    }
    let bundle = compilation.bundle.expect("no errors means a bundle");
    let stack = args.stack.stack.display();
    let files = match &args.service {
        Some(service) => match service_files(&bundle, service) {
            Ok(files) => files,
            Err(message) => {
                eprintln!("{message}");
                return ExitStatus::Error;
            }
        },
        None => bundle.files.iter().map(|f| (f.path.as_str(), f.contents.as_slice())).collect(),
    };
    let text = match &args.file {
        Some(path) => match one_file(&bundle, &files, path, args.service.as_deref()) {
            Ok(contents) => contents.to_vec(),
            Err(hint) => {
                let of = args.service.as_ref().map_or(String::new(), |s| format!(" of service `{s}`"));
                eprintln!("error: no file `{path}`{of} in the bundle of `{stack}`\n\nhint: {hint}");
                return ExitStatus::Error;
            }
        },
        None => with_headers(&files),
    };
    // A closed pipe (`stackc render … | head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(&text);
    ExitStatus::Success
}

/// The config of `service` as its plugin receives it.
fn print_config(stack: &stackc::model::Stack, service: &str) -> ExitStatus {
    let Some(found) = stack.services.iter().find(|s| s.name.value == service) else {
        let names = stack.services.iter().map(|s| s.name.value.as_str());
        let hint = did_you_mean(service, names).map_or_else(String::new, |h| format!("\n\nhint: {h}"));
        eprintln!("error: no service `{service}` in stack `{}`{hint}", stack.name.value);
        return ExitStatus::Error;
    };
    let json = serde_json::to_string_pretty(&stackc::config_json(found)).expect("a JSON value serializes");
    crate::stdout::print(&(json + "\n"));
    ExitStatus::Success
}

/// `(path, contents)` of the files `service` rendered, in path order.
fn service_files<'a>(bundle: &'a Bundle, service: &str) -> Result<Vec<(&'a str, &'a [u8])>, String> {
    if !bundle.services.iter().any(|s| s.name == service) {
        let names: Vec<&str> = bundle.services.iter().map(|s| s.name.as_str()).collect();
        let hint = did_you_mean(service, names.iter().copied()).unwrap_or_else(|| match names.len() {
            n if n <= 10 => format!("the stack's services are: {}", names.join(", ")),
            n => format!("the stack has {n} services; `stackc build --verbose` lists them"),
        });
        return Err(format!("error: no service `{service}` in stack `{}`\n\nhint: {hint}", bundle.stack));
    }
    let of_service = |f: &File| matches!(&f.producer, Producer::Services(names) if names.iter().any(|n| n == service));
    Ok(bundle.files.iter().filter(|f| of_service(f)).map(|f| (f.path.as_str(), f.contents.as_slice())).collect())
}

/// The contents of `path` among `files`, or `manifest.toml`; else a hint.
fn one_file<'a>(
    bundle: &'a Bundle,
    files: &[(&str, &'a [u8])],
    path: &str,
    service: Option<&str>,
) -> Result<&'a [u8], String> {
    if path == "manifest.toml" && service.is_none() {
        return Ok(bundle.manifest_toml.as_bytes());
    }
    if let Some((_, contents)) = files.iter().find(|(p, _)| *p == path) {
        return Ok(contents);
    }
    Err(nearby(files, path))
}

/// The files in the deepest directory of `path` that has any, as a hint; paths are not
/// names, so "did you mean" would pick a neighbour by its long shared prefix.
fn nearby(files: &[(&str, &[u8])], path: &str) -> String {
    const SHOWN: usize = 8;
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        dir = parent;
        let prefix = format!("{dir}/");
        let under: Vec<&str> = files.iter().map(|(p, _)| *p).filter(|p| p.starts_with(&prefix)).collect();
        if !under.is_empty() {
            let more = under.len().saturating_sub(SHOWN);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            return format!("under `{prefix}` there are: {}{more}", under[..under.len().min(SHOWN)].join(", "));
        }
    }
    "paths are relative to the bundle, as `manifest.toml` lists them; `stackc render STACK --service NAME` \
     prints a service's files under their paths"
        .to_owned()
}

/// Several files, each after a `==> path <==` line (as `head` and `tail` show several files).
fn with_headers(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (path, contents)) in files.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(format!("==> {path} <==\n").as_bytes());
        out.extend_from_slice(contents);
        if !contents.is_empty() && !contents.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}
