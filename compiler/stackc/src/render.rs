//! Render: one plugin call per service, with references resolved to endpoints.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value as Json;
use stackc_diag::{Diagnostic, Diagnostics};
use stackc_emit::Rendered;
use stackc_model::{Exports, PlacedEndpoint, Placement, Reference, Stack};
use stackc_plugin_host::{CacheStore, RenderInput, Reuse};

use crate::config_json::{Refs, endpoint_json, reference_json, to_json};
use crate::failure::{self, Phase};
use crate::plugins::Catalog;
use crate::{Progress, Timings};

/// One service's render: its artifacts and how they came (rendered or reused), or diagnostics.
type Outcome = Result<(Rendered, Reuse), Vec<Diagnostic>>;

pub(crate) fn render_all(
    stack: &Stack,
    plugins: &Catalog<'_>,
    exports: &[Option<Exports>],
    cache: &dyn CacheStore,
    progress: &Progress,
    diagnostics: &mut Diagnostics,
    timings: &mut Timings,
) -> Vec<Rendered> {
    let placed = placed_endpoints(stack, exports);
    let all_endpoints = Json::Array(placed.iter().flatten().map(endpoint_json).collect()).to_string();
    let index = stack.service_index();
    let resolve = |r: &Reference| {
        let Some(&target) = index.get(r.service.as_str()) else {
            return reference_json(r, &[], None);
        };
        let endpoints: Vec<PlacedEndpoint> =
            placed[target].iter().filter(|e| e.endpoint.name == r.export).cloned().collect();
        let fact = exports[target]
            .as_ref()
            .and_then(|x| x.facts.iter().find(|f| f.name == r.export))
            .map(|f| f.value.as_str());
        reference_json(r, &endpoints, fact)
    };

    let results: Vec<(Outcome, Duration)> = stack
        .services
        .par_iter()
        .enumerate()
        .map(|(index, service)| {
            let plugin = plugins.get(&service.plugin.value).expect("resolve checked the plugin exists");
            let config = to_json(&service.config, &Refs::Resolved(&resolve)).to_string();
            let hosts = service
                .hosts
                .iter()
                .map(|&h| {
                    let host = &stack.hosts[h];
                    let groups = host.groups.iter().map(|g| g.value.clone()).collect();
                    (host.name.value.clone(), host.address.value.clone(), groups)
                })
                .collect();
            let input = RenderInput {
                stack: &stack.name.value,
                service: &service.name.value,
                config: &config,
                hosts,
                stack_endpoints: if plugin.info().wants_stack_endpoints { &all_endpoints } else { "[]" },
                compose_project: match &service.placement {
                    Placement::Compose(project) => Some(project.value.as_str()),
                    _ => None,
                },
            };
            let start = Instant::now();
            let result = plugin.render_reusing(&input, cache);
            let time = start.elapsed();
            progress.advance();
            let info = plugin.info();
            let result = result
                .map(|(artifacts, how)| {
                    let plugin = format!("{}@{}", info.name, info.version);
                    (Rendered { service: index, plugin, artifacts }, how)
                })
                .map_err(|e| failure::diagnostics(service, Phase::Render, e));
            (result, time)
        })
        .collect();
    results
        .into_iter()
        .filter_map(|(result, time)| {
            timings.plugin_calls += time;
            let (rendered, how) = result.map_err(|d| diagnostics.extend(d)).ok()?;
            match how {
                Reuse::Reused => timings.reused += 1,
                Reuse::Rendered { .. } | Reuse::Rerendered { .. } => timings.rendered += 1,
            }
            Some(rendered)
        })
        .collect()
}

/// Every service's endpoints on each of its hosts, in stack order. A service of the Compose
/// project has one place: its container, whose name is its address on the project's networks.
/// An endpoint of a service in the cluster is where its plugin says it is: behind a port of a
/// Kubernetes Service, whose DNS name is the address (an endpoint that names none has no
/// place: references to it resolve to no endpoint, as to a service on no host).
fn placed_endpoints(stack: &Stack, exports: &[Option<Exports>]) -> Vec<Vec<PlacedEndpoint>> {
    stack
        .services
        .iter()
        .zip(exports)
        .map(|(service, exports)| {
            let Some(exports) = exports else { return Vec::new() };
            if let Placement::Cluster = service.placement {
                return exports
                    .endpoints
                    .iter()
                    .filter_map(|e| {
                        let port = e.in_cluster.as_ref()?;
                        Some(PlacedEndpoint {
                            service: service.name.value.clone(),
                            host: port.service.clone(),
                            address: port.dns_name(),
                            endpoint: e.clone(),
                        })
                    })
                    .collect();
            }
            if let Placement::Compose(_) = service.placement {
                let name = &service.name.value;
                return exports
                    .endpoints
                    .iter()
                    .map(|e| PlacedEndpoint {
                        service: name.clone(),
                        host: name.clone(),
                        address: name.clone(),
                        endpoint: e.clone(),
                    })
                    .collect();
            }
            service
                .hosts
                .iter()
                .flat_map(|&h| {
                    let host = &stack.hosts[h];
                    exports.endpoints.iter().map(move |e| PlacedEndpoint {
                        service: service.name.value.clone(),
                        host: host.name.value.clone(),
                        address: host.address.value.clone(),
                        endpoint: e.clone(),
                    })
                })
                .collect()
        })
        .collect()
}
