//! Times `stackc_syntax::parse` on a stack file, and `kdl`'s own parser for comparison:
//!
//!     scripts/gen_stack.py --mix k8s 1000 > k1000.kdl
//!     cargo run --release -p stackc-syntax --example parse_time -- k1000.kdl

use std::time::{Duration, Instant};

use kdl::KdlDocument;
use stackc_diag::Sources;

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_time FILE.kdl [RUNS]");
    let runs: u32 = std::env::args().nth(2).map_or(20, |n| n.parse().expect("RUNS is a number"));
    let text = std::fs::read_to_string(&path).expect("readable file");
    let mut sources = Sources::new();
    let file = sources.add(&path, text.clone());
    println!("{path}: {} bytes, {runs} runs", text.len());
    let ours = time("stackc_syntax::parse", &text, runs, || {
        assert!(stackc_syntax::parse(file, &text).document.is_some(), "{path} has syntax errors");
    });
    let theirs = time("KdlDocument::parse_v2", &text, runs, || {
        KdlDocument::parse_v2(&text).expect("valid KDL");
    });
    println!("{:.1} times faster", theirs.as_secs_f64() / ours.as_secs_f64());
}

/// Runs `parse` `runs` times and prints the best and mean times; returns the best.
fn time(name: &str, text: &str, runs: u32, mut parse: impl FnMut()) -> Duration {
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    for _ in 0..runs {
        let start = Instant::now();
        parse();
        let elapsed = start.elapsed();
        best = best.min(elapsed);
        total += elapsed;
    }
    println!(
        "{name:>22}: best {:8.2} ms, mean {:8.2} ms ({:.1} MB/s)",
        best.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / f64::from(runs),
        text.len() as f64 / 1e6 / best.as_secs_f64()
    );
    best
}
