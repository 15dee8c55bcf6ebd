//! Top-level declarations: `stack`, `param`, `secret`, `host`, `service`, `include`.

use std::collections::BTreeMap;

use stackc_diag::{Diagnostic, Diagnostics, FileId, Sources, Span, Spanned, did_you_mean};
use stackc_model::{ComposeProject, Host, Param, Placement, Secret, SecretSource, Service, Stack, ValueKind};
use stackc_syntax::ast;

use crate::config::{self, Scope};
use crate::expand::Expanded;
use crate::files::FileReader;
use crate::node::{NodeProps, check_children, check_identifier, duplicate, name_arg};
use crate::params;

/// What may stand at the top level, for the suggestion after an unknown node; `param`, `for`,
/// `if` and `module` never reach [`resolve_stack`] (expansion consumes them).
const TOP_LEVEL: [&str; 12] =
    ["stack", "include", "param", "secret", "host", "compose", "service", "plugin", "defaults", "for", "if", "module"];

/// Properties of a `service` node that are not config.
const SERVICE_PROPS: [&str; 2] = ["plugin", "on"];

pub(crate) fn resolve_stack(
    root: FileId,
    expanded: &Expanded,
    plugins: &[&str],
    files: &FileReader<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Stack> {
    let sources = files.sources;
    let mut by_kind: BTreeMap<&str, Vec<&ast::Node>> = BTreeMap::new();
    for node in &expanded.nodes {
        let name = node.name().value();
        if TOP_LEVEL.contains(&name) {
            by_kind.entry(name).or_default().push(node);
        } else {
            let help = did_you_mean(name, TOP_LEVEL).unwrap_or_else(|| {
                "top-level nodes are stack, include, param, secret, host, compose, service, plugin, defaults, for, if \
                 and module"
                    .to_owned()
            });
            diagnostics.push(
                Diagnostic::error("stackc::resolve::unknown-node", format!("unknown node `{name}`"))
                    .at(node.name().span(), "not a stack declaration")
                    .with_help(help),
            );
        }
    }
    let nodes = |kind: &str| by_kind.get(kind).map_or(&[][..], Vec::as_slice);

    let (name, description) = stack_node(root, nodes("stack"), sources, diagnostics)?;
    let params::Params { params, broken } = &expanded.params;
    let params = params.clone();
    let secrets = resolve_secrets(nodes("secret"), diagnostics);
    let hosts = resolve_hosts(nodes("host"), &params, diagnostics);
    let compose = crate::compose::resolve_compose(nodes("compose"), &hosts, diagnostics);
    let broken: Vec<&str> = broken.iter().map(String::as_str).collect();
    let declared = crate::plugins::resolve_plugins(nodes("plugin"), plugins, diagnostics);
    let mut known: Vec<&str> = plugins.iter().copied().chain(declared.iter().map(|p| p.name.value.as_str())).collect();
    known.sort_unstable();
    let scope = Names { params: &params, broken_params: &broken, secrets: &secrets, plugins: &known };
    let places = Places { hosts: &hosts, compose: compose.as_ref() };
    let services = resolve_services(nodes("service"), nodes("defaults"), &places, &scope, files, diagnostics);
    Some(Stack { name, description, params, secrets, hosts, compose, services, plugins: declared })
}

fn stack_node(
    root: FileId,
    nodes: &[&ast::Node],
    sources: &Sources,
    diagnostics: &mut Diagnostics,
) -> Option<(Spanned<String>, Option<String>)> {
    let Some(&node) = nodes.first() else {
        let text_len = sources.get(root).text.len();
        diagnostics.push(
            Diagnostic::error("stackc::resolve::no-stack", "the file declares no stack")
                .at(Span::new(root, 0, text_len.min(1)), "expected `stack \"name\"` in this file")
                .with_help("start the file with `stack \"my-stack\"`"),
        );
        return None;
    };
    for &extra in &nodes[1..] {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::duplicate-stack", "`stack` is declared twice")
                .at(extra.name().span(), "declared again here")
                .with_secondary(node.name().span(), "first declared here")
                .with_help("a stack has one `stack` node, in its root file"),
        );
    }
    if node.span().file != root {
        diagnostics.push(
            Diagnostic::error("stackc::resolve::stack-in-include", "`stack` is declared in an included file")
                .at(node.name().span(), "here")
                .with_help("move `stack` to the root file; includes hold hosts, services and the like"),
        );
    }
    let name = name_arg(node, "stack", diagnostics)?;
    let props = NodeProps::new(node, &["description"], diagnostics);
    let description = props.string("description", diagnostics).map(|d| d.value);
    check_children(node, diagnostics);
    Some((name, description))
}

fn resolve_secrets(nodes: &[&ast::Node], diagnostics: &mut Diagnostics) -> Vec<Secret> {
    let mut secrets: Vec<Secret> = Vec::new();
    for &node in nodes {
        let span = node.span();
        let Some(name) = name_arg(node, "secret", diagnostics) else { continue };
        let props = NodeProps::new(node, &["vault", "env", "kube-secret", "key"], diagnostics);
        check_children(node, diagnostics);
        let vault = props.string("vault", diagnostics);
        let env = props.string("env", diagnostics);
        let kube = props.string("kube-secret", diagnostics);
        let key = props.string("key", diagnostics);
        let source = match (vault, env, kube) {
            (Some(v), None, None) => SecretSource::Vault { variable: v.value },
            (None, Some(e), None) => SecretSource::Env { variable: e.value },
            (None, None, Some(k)) => {
                SecretSource::KubeSecret { name: k.value, key: key.map_or_else(|| name.value.clone(), |k| k.value) }
            }
            _ => {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::secret::source",
                        format!("secret `{}` needs exactly one source", name.value),
                    )
                    .at(span, "one of `vault=`, `env=` or `kube-secret=` expected")
                    .with_help(format!(
                        "e.g. `secret \"{}\" vault=\"vault_{}\"`",
                        name.value,
                        name.value.replace('-', "_")
                    )),
                );
                continue;
            }
        };
        if let Some(first) = secrets.iter().find(|s| s.name.value == name.value) {
            diagnostics.push(duplicate("secret", &name, first.name.span));
            continue;
        }
        secrets.push(Secret { name, source, span });
    }
    secrets
}

fn resolve_hosts(nodes: &[&ast::Node], params: &[Param], diagnostics: &mut Diagnostics) -> Vec<Host> {
    let mut hosts: Vec<Host> = Vec::new();
    for &node in nodes {
        let span = node.span();
        let Some(name) = name_arg(node, "host", diagnostics) else { continue };
        let props = NodeProps::new(node, &["address"], diagnostics);
        let address = params::string_or_param(&props, "address", params, diagnostics);
        if props.get("address").is_none() {
            diagnostics.push(
                Diagnostic::error("stackc::host::address", format!("host `{}` has no address", name.value))
                    .at(name.span, "missing `address=`")
                    .with_help("add `address=\"10.0.0.11\"` (an IP address or DNS name)"),
            );
        }
        let mut groups = Vec::new();
        let mut labels = BTreeMap::new();
        for child in node.children().map(|c| c.nodes()).unwrap_or_default() {
            match child.name().value() {
                "groups" => {
                    for entry in child.entries() {
                        match (entry.name(), entry.value()) {
                            (None, ast::Value::String(g)) => {
                                let g_span = entry.span();
                                if check_identifier(g, g_span, "group", diagnostics) {
                                    groups.push(Spanned::new(g.clone(), g_span));
                                }
                            }
                            _ => diagnostics.push(
                                Diagnostic::error("stackc::host::groups", "`groups` takes group names")
                                    .at(entry.span(), "expected a string")
                                    .with_help("write `groups \"web\" \"monitored\"`"),
                            ),
                        }
                    }
                }
                "labels" => {
                    for entry in child.entries() {
                        match (entry.name(), entry.value()) {
                            (Some(k), ast::Value::String(v)) => {
                                labels.insert(k.value().to_owned(), v.clone());
                            }
                            _ => diagnostics.push(
                                Diagnostic::error("stackc::host::labels", "`labels` takes `key=\"value\"` pairs")
                                    .at(entry.span(), "expected `key=\"value\"`"),
                            ),
                        }
                    }
                }
                other => diagnostics.push(
                    Diagnostic::error("stackc::host::unknown-child", format!("unknown host setting `{other}`"))
                        .at(child.name().span(), "not a host setting")
                        .with_help(
                            did_you_mean(other, ["groups", "labels"])
                                .unwrap_or_else(|| "hosts take `groups` and `labels`".to_owned()),
                        ),
                ),
            }
        }
        let Some(address) = address else { continue };
        if let Err(why) = crate::address::check(&address.value) {
            diagnostics.push(
                Diagnostic::error(
                    "stackc::host::address",
                    format!("host `{}` has an invalid address: {why}", name.value),
                )
                .at(address.span, "not an address")
                .with_help("an address is an IPv4 address (10.0.0.11), an IPv6 address (fd00::11) or a DNS name"),
            );
            continue;
        }
        if let Some(first) = hosts.iter().find(|h| h.name.value == name.value) {
            diagnostics.push(duplicate("host", &name, first.name.span));
            continue;
        }
        hosts.push(Host { name, address, groups, labels, span });
    }
    hosts
}

/// What `on=` may name: hosts, their groups and the Compose project.
struct Places<'a> {
    hosts: &'a [Host],
    compose: Option<&'a ComposeProject>,
}

/// What services may name besides hosts: resolved before them.
struct Names<'a> {
    params: &'a [Param],
    /// Params whose default was rejected (already reported).
    broken_params: &'a [&'a str],
    secrets: &'a [Secret],
    /// Built-in and declared plugins, sorted.
    plugins: &'a [&'a str],
}

fn resolve_services(
    nodes: &[&ast::Node],
    defaults: &[&ast::Node],
    places: &Places<'_>,
    names_in_scope: &Names<'_>,
    files: &FileReader<'_>,
    diagnostics: &mut Diagnostics,
) -> Vec<Service> {
    let Names { params, broken_params, secrets, plugins } = *names_in_scope;
    let names: std::collections::BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| match n.entries().first().map(|e| (e.name(), e.value())) {
            Some((None, ast::Value::String(s))) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let scope = Scope { params, broken_params, secrets, services: &names, files };
    let defaults = config::defaults(defaults, plugins, &scope, diagnostics);
    let hosts = places.hosts;
    let mut group_names: Vec<&str> = hosts.iter().flat_map(|h| h.groups.iter().map(|g| g.value.as_str())).collect();
    group_names.sort_unstable();
    group_names.dedup();

    let mut services: Vec<Service> = Vec::new();
    let mut declared: BTreeMap<String, Span> = BTreeMap::new();
    for &node in nodes {
        let span = node.span();
        let Some(name) = name_arg(node, "service", diagnostics) else { continue };
        let props = NodeProps::lenient(node);
        let plugin = match props.string("plugin", diagnostics) {
            Some(plugin) if plugins.contains(&plugin.value.as_str()) => Some(plugin),
            Some(plugin) => {
                let help = crate::plugins::unknown_plugin_help(&plugin.value, plugins);
                diagnostics.push(
                    Diagnostic::error("stackc::resolve::unknown-plugin", format!("unknown plugin `{}`", plugin.value))
                        .at(plugin.span, "no such plugin")
                        .with_help(help),
                );
                None
            }
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        "stackc::resolve::no-plugin",
                        format!("service `{}` names no plugin", name.value),
                    )
                    .at(name.span, "missing `plugin=`")
                    .with_help("add `plugin=\"nginx\"`; `stackc plugins` lists them"),
                );
                None
            }
        };
        let placed = match props.string("on", diagnostics) {
            None => Some((Placement::Cluster, Vec::new())),
            Some(on) => {
                let members: Vec<usize> = hosts
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.groups.iter().any(|g| g.value == on.value))
                    .map(|(i, _)| i)
                    .collect();
                if let Some(i) = hosts.iter().position(|h| h.name.value == on.value) {
                    Some((Placement::Host(on), vec![i]))
                } else if !members.is_empty() {
                    Some((Placement::Group(on), members))
                } else if places.compose.is_some_and(|c| c.name.value == on.value) {
                    Some((Placement::Compose(on), Vec::new()))
                } else {
                    let project = places.compose.map(|c| c.name.value.as_str());
                    let candidates =
                        hosts.iter().map(|h| h.name.value.as_str()).chain(group_names.iter().copied()).chain(project);
                    let help = did_you_mean(&on.value, candidates).unwrap_or_else(|| {
                        format!(
                            "declare it: `host \"{0}\" address=\"…\"`, or add `groups \"{0}\"` to the hosts it means",
                            on.value
                        )
                    });
                    diagnostics.push(
                        Diagnostic::error(
                            "stackc::resolve::unknown-host",
                            format!("unknown host or group `{}`", on.value),
                        )
                        .at(on.span, "no such host or group")
                        .with_help(help),
                    );
                    None
                }
            }
        };
        // Config is checked even when the service is already wrong, so that one run reports
        // every problem.
        let mut config = config::lower_service(node, &SERVICE_PROPS, &scope, diagnostics);
        let (Some(plugin), Some((placement, placed_on))) = (plugin, placed) else { continue };
        if let (Some(defaults), ValueKind::Map(map)) = (defaults.get(&plugin.value), &mut config.kind) {
            for (key, entry) in defaults.entries.iter() {
                if !map.entries.contains_key(key) {
                    map.entries.insert(key.clone(), entry.clone());
                }
            }
        }
        if let Some(first) = declared.get(&name.value) {
            diagnostics.push(duplicate("service", &name, *first));
            continue;
        }
        declared.insert(name.value.clone(), name.span);
        services.push(Service { name, plugin, placement, hosts: placed_on, config, span });
    }
    services
}
