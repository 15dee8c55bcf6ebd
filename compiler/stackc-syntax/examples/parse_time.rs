//! Times `stackc_syntax::parse` on a stack file:
//!
//!     scripts/gen_stack.py --mix k8s 1000 > k1000.kdl
//!     cargo run --release -p stackc-syntax --example parse_time -- k1000.kdl

use std::time::{Duration, Instant};

use stackc_diag::Sources;

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_time FILE.kdl [RUNS]");
    let runs: u32 = std::env::args().nth(2).map_or(20, |n| n.parse().expect("RUNS is a number"));
    let text = std::fs::read_to_string(&path).expect("readable file");
    let mut sources = Sources::new();
    let file = sources.add(&path, text.clone());
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    for _ in 0..runs {
        let start = Instant::now();
        let parsed = stackc_syntax::parse(file, &text);
        let elapsed = start.elapsed();
        assert!(parsed.document.is_some(), "{path} has syntax errors");
        best = best.min(elapsed);
        total += elapsed;
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "{path}: {} bytes, best {:.2} ms, mean {:.2} ms over {runs} runs ({:.1} MB/s)",
        text.len(),
        best.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / f64::from(runs),
        mb / best.as_secs_f64()
    );
}
