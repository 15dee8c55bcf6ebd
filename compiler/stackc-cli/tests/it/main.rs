//! The one CLI integration test binary: runs the real `stackc` binary.
//!
//! Tests that check generated artifacts with their real consumers (nginx, ansible, …)
//! need those tools installed by `scripts/setup.sh`; they fail, never skip, when a tool is
//! missing.

// Tests locate tools through PATH and set up environments for them; the determinism lint on
// reading the environment is about the compiler, not its tests.
#![allow(clippy::disallowed_methods)]

mod common;

mod ansible;
mod api_ha;
mod app;
mod balancer;
mod bookworm;
mod build;
mod c_plugin;
mod check;
mod cluster_charts;
mod compose_data;
mod compose_queue;
mod compose_web;
mod deploy;
mod diagnostics;
mod diff;
mod docs;
mod examples;
mod explain;
mod fmt;
mod front_end;
mod gc;
mod graph;
mod guide;
mod helm;
mod hostile;
mod http;
mod lab;
mod locking;
mod lsp;
mod machines;
mod monitoring;
mod nginx;
mod octopus;
mod reference;
mod registry;
mod render;
mod reuse;
mod sharing;
mod slo;
mod stacks;
mod systemd;
mod tasktracker;
mod welltory;
