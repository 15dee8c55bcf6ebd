//! Expose: the exports of every service something reads, then every reference checked
//! against them and every host's ports for collisions.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use stackc_diag::{Diagnostic, Diagnostics, did_you_mean};
use stackc_model::{Exports, Stack};
use stackc_plugin_host::CacheStore;

use crate::Progress;
use crate::config_json::{Refs, to_json};
use crate::failure::{self, Phase};
use crate::plugins::Catalog;

/// One `expose` call: the service's exports or its diagnostics, and how long it took.
type Call = (Result<Exports, Vec<Diagnostic>>, Duration);

/// Calls `expose` (or reuses its result from `cache`), in parallel, for every service whose
/// exports are read: the targets of references, the services placed on hosts (whose ports are
/// checked for collisions, `ports.rs`), or every service when a plugin takes the whole stack's
/// endpoints. `None` where nothing reads them (the call is skipped: its result
/// could change no byte) or where the call failed (its diagnostics are in `diagnostics`).
///
/// A service's config errors are reported either way: `render` parses the same config.
pub(crate) fn expose_all(
    stack: &Stack,
    plugins: &Catalog<'_>,
    cache: &dyn CacheStore,
    progress: &Progress,
    diagnostics: &mut Diagnostics,
    plugin_time: &mut Duration,
) -> Vec<Option<Exports>> {
    let read = exports_read(stack, plugins);
    progress.start(crate::Phase::Expose, read.iter().filter(|&&r| r).count());
    let results: Vec<Option<Call>> = stack
        .services
        .par_iter()
        .zip(&read)
        .map(|(service, &read)| {
            if !read {
                return None;
            }
            let plugin = plugins.get(&service.plugin.value).expect("resolve checked the plugin exists");
            let config = to_json(&service.config, &Refs::Unresolved).to_string();
            let start = Instant::now();
            let result = plugin.expose_reusing(&service.name.value, &config, cache);
            progress.advance();
            Some((result.map_err(|e| failure::diagnostics(service, Phase::Expose, e)), start.elapsed()))
        })
        .collect();
    let exports: Vec<Option<Exports>> = results
        .into_iter()
        .map(|outcome| {
            let (result, time) = outcome?;
            *plugin_time += time;
            result.map_err(|d| diagnostics.extend(d)).ok()
        })
        .collect();
    check_references(stack, &exports, diagnostics);
    crate::ports::check(stack, &exports, diagnostics);
    exports
}

/// For each service, whether anything reads its exports.
fn exports_read(stack: &Stack, plugins: &Catalog<'_>) -> Vec<bool> {
    let everything =
        stack.services.iter().any(|s| plugins.get(&s.plugin.value).is_some_and(|p| p.info().wants_stack_endpoints));
    if everything {
        return vec![true; stack.services.len()];
    }
    let index = stack.service_index();
    let mut read: Vec<bool> = stack.services.iter().map(|s| !s.hosts.is_empty()).collect();
    for service in &stack.services {
        for reference in service.config.references() {
            if let Some(&target) = index.get(reference.service.as_str()) {
                read[target] = true;
            }
        }
    }
    read
}
/// Every `(ref)"service.export"` must name an export the service has.
fn check_references(stack: &Stack, exports: &[Option<Exports>], diagnostics: &mut Diagnostics) {
    let index = stack.service_index();
    for service in &stack.services {
        for reference in service.config.references() {
            let Some(&target) = index.get(reference.service.as_str()) else {
                continue; // Reported by resolve.
            };
            let Some(target_exports) = &exports[target] else { continue };
            if target_exports.names().any(|n| n == reference.export) {
                continue;
            }
            let names: Vec<&str> = target_exports.names().collect();
            let help = did_you_mean(&reference.export, names.iter().copied()).unwrap_or_else(|| {
                if names.is_empty() {
                    format!("service `{}` exports nothing", reference.service)
                } else {
                    format!("service `{}` exports: {}", reference.service, names.join(", "))
                }
            });
            diagnostics.push(
                Diagnostic::error(
                    "stackc::ref::unknown-export",
                    format!("service `{}` has no export `{}`", reference.service, reference.export),
                )
                .at(reference.span, "no such export")
                .with_secondary(stack.services[target].name.span, "service declared here")
                .with_help(help),
            );
        }
    }
}
