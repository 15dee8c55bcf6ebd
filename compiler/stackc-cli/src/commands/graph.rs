//! `stackc graph`: hosts, services, secrets and the references between them, as Graphviz
//! DOT or a Mermaid flowchart.

use std::collections::BTreeSet;

use stackc_model::{Placement, Stack, Value, ValueKind};

use super::{ExitStatus, load_and_compile};
use crate::args::{GraphArgs, GraphFormat};

pub fn run(args: &GraphArgs) -> ExitStatus {
    let compilation = match load_and_compile(&args.stack) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let stack = compilation.stack.as_ref().expect("a built stack is resolved");
    let graph = Graph::of(stack);
    crate::stdout::print(&match args.format {
        GraphFormat::Dot => graph.dot(),
        GraphFormat::Mermaid => graph.mermaid(),
    });
    ExitStatus::Success
}

/// The graph, in stack order, independent of the output format.
struct Graph {
    stack: String,
    /// `(name, address, groups)`.
    hosts: Vec<(String, String, Vec<String>)>,
    /// `(name, plugin)`.
    services: Vec<(String, String)>,
    secrets: Vec<String>,
    /// Service index → host index ("runs on").
    placements: Vec<(usize, usize)>,
    /// Services placed in the cluster rather than on hosts.
    cluster: Vec<usize>,
    /// Service index → referenced service index, with the export name.
    references: BTreeSet<(usize, usize, String)>,
    /// Service index → secret index.
    secret_uses: BTreeSet<(usize, usize)>,
}

impl Graph {
    fn of(stack: &Stack) -> Graph {
        let services = stack.service_index();
        let secret_index = |name: &str| stack.secrets.iter().position(|s| s.name.value == name);
        let mut graph = Graph {
            stack: stack.name.value.clone(),
            hosts: stack
                .hosts
                .iter()
                .map(|h| {
                    (h.name.value.clone(), h.address.value.clone(), h.groups.iter().map(|g| g.value.clone()).collect())
                })
                .collect(),
            services: stack.services.iter().map(|s| (s.name.value.clone(), s.plugin.value.clone())).collect(),
            secrets: stack.secrets.iter().map(|s| s.name.value.clone()).collect(),
            placements: Vec::new(),
            cluster: Vec::new(),
            references: BTreeSet::new(),
            secret_uses: BTreeSet::new(),
        };
        for (i, service) in stack.services.iter().enumerate() {
            if matches!(service.placement, Placement::Cluster) {
                graph.cluster.push(i);
            }
            graph.placements.extend(service.hosts.iter().map(|&h| (i, h)));
            walk(&service.config, &mut |kind| match kind {
                ValueKind::Ref(r) => {
                    if let Some(&to) = services.get(r.service.as_str()) {
                        graph.references.insert((i, to, r.export.clone()));
                    }
                }
                ValueKind::Secret(name) => {
                    if let Some(s) = secret_index(&name.value) {
                        graph.secret_uses.insert((i, s));
                    }
                }
                _ => {}
            });
        }
        graph
    }

    fn dot(&self) -> String {
        let mut out = format!("digraph {} {{\n", quote(&self.stack));
        out.push_str(
            "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for (i, (name, address, groups)) in self.hosts.iter().enumerate() {
            let mut label = format!("{name}\n{address}");
            if !groups.is_empty() {
                label.push_str(&format!("\ngroups: {}", groups.join(", ")));
            }
            out.push_str(&format!("  h{i} [shape=box3d, label={}];\n", quote(&label)));
        }
        if !self.cluster.is_empty() {
            out.push_str("  cluster [shape=tab, label=\"cluster\"];\n");
        }
        for (i, (name, plugin)) in self.services.iter().enumerate() {
            out.push_str(&format!("  s{i} [shape=ellipse, label={}];\n", quote(&format!("{name}\n({plugin})"))));
        }
        for (i, name) in self.secrets.iter().enumerate() {
            out.push_str(&format!("  k{i} [shape=note, style=dashed, label={}];\n", quote(&format!("secret {name}"))));
        }
        for (s, h) in &self.placements {
            out.push_str(&format!("  s{s} -> h{h} [style=dotted, arrowhead=none, label=\"on\"];\n"));
        }
        for s in &self.cluster {
            out.push_str(&format!("  s{s} -> cluster [style=dotted, arrowhead=none, label=\"on\"];\n"));
        }
        for (from, to, export) in &self.references {
            out.push_str(&format!("  s{from} -> s{to} [label={}];\n", quote(export)));
        }
        for (s, k) in &self.secret_uses {
            out.push_str(&format!("  s{s} -> k{k} [style=dashed];\n"));
        }
        out.push_str("}\n");
        out
    }

    fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (i, (name, address, _)) in self.hosts.iter().enumerate() {
            out.push_str(&format!("  h{i}[[\"{}<br>{}\"]]\n", mermaid_text(name), mermaid_text(address)));
        }
        if !self.cluster.is_empty() {
            out.push_str("  cluster[[\"cluster\"]]\n");
        }
        for (i, (name, plugin)) in self.services.iter().enumerate() {
            out.push_str(&format!("  s{i}([\"{}<br>({})\"])\n", mermaid_text(name), mermaid_text(plugin)));
        }
        for (i, name) in self.secrets.iter().enumerate() {
            out.push_str(&format!("  k{i}>\"secret {}\"]\n", mermaid_text(name)));
        }
        for (s, h) in &self.placements {
            out.push_str(&format!("  s{s} -. on .- h{h}\n"));
        }
        for s in &self.cluster {
            out.push_str(&format!("  s{s} -. on .- cluster\n"));
        }
        for (from, to, export) in &self.references {
            out.push_str(&format!("  s{from} -->|\"{}\"| s{to}\n", mermaid_text(export)));
        }
        for (s, k) in &self.secret_uses {
            out.push_str(&format!("  s{s} -.-> k{k}\n"));
        }
        out
    }
}

/// Calls `visit` on every value of a config tree.
fn walk(value: &Value, visit: &mut dyn FnMut(&ValueKind)) {
    visit(&value.kind);
    match &value.kind {
        ValueKind::List(items) => items.iter().for_each(|v| walk(v, visit)),
        ValueKind::Map(map) => map.entries.values().for_each(|e| walk(&e.value, visit)),
        _ => {}
    }
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entities.
fn mermaid_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "#quot;").replace('<', "&lt;").replace('>', "&gt;")
}
