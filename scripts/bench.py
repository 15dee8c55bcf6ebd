#!/usr/bin/env python3
"""Benchmarks `stackc build` end to end (a script, not a timed test).

Reports, for the real stack and for generated stacks of growing size:
- warm end-to-end wall time of `stackc build` into a fresh output directory and of an
  unchanged rebuild (nothing written), as median and min over repeated runs;
- the time spent in plugin instantiate + calls, from `stackc build --timings`;
- peak RSS of the process.
And, for the tutorial stack with the third-party `hello` plugin, a build with an empty compile
cache (the component is compiled) against one with a warm cache.

    cargo build --release && scripts/bench.py [--runs 20] [--sizes 100,1000]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "stackc"
sys.path.insert(0, str(ROOT / "scripts"))
import gen_stack  # noqa: E402


def run(args, cwd, env=None):
    """Runs stackc; returns (seconds, peak RSS in KiB, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    _, status, rusage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"stackc {' '.join(args)} failed:\n{stderr}")
    return elapsed, rusage.ru_maxrss, stderr


def plugin_ms(stderr):
    match = re.search(r"plugin calls ([\d.]+)(µs|ms|s)", stderr)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"µs": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def bench(name, stack, runs, work):
    fresh, rebuild, plugins, rss = [], [], [], 0
    run(["build", str(stack), "--out", str(work / "warmup")], ROOT)  # page cache, precompiled code
    for i in range(runs):
        out = work / f"out-{i}"
        t, r, err = run(["build", str(stack), "--out", str(out), "--timings"], ROOT)
        fresh.append(t)
        plugins.append(plugin_ms(err))
        rss = max(rss, r)
        t, r, _ = run(["build", str(stack), "--out", str(out)], ROOT)
        rebuild.append(t)
        rss = max(rss, r)
        shutil.rmtree(out)
    ms = lambda xs: f"median {statistics.median(xs) * 1000:7.1f} ms  min {min(xs) * 1000:7.1f} ms"
    print(f"{name}")
    print(f"  build, fresh out/      {ms(fresh)}")
    print(f"  rebuild, unchanged     {ms(rebuild)}")
    print(f"  plugin instantiate+call median {statistics.median(plugins):7.1f} ms (summed over services)")
    print(f"  peak RSS               {rss / 1024:7.1f} MiB")


def bench_compile_cache(runs, work):
    plugin = ROOT / "examples" / "plugins" / "hello-plugin"
    subprocess.run([str(BIN), "plugin", "build", str(plugin)], cwd=ROOT, check=True, capture_output=True)
    stack = ROOT / "examples" / "stacks" / "03-hello-plugin" / "stack.kdl"
    cold, warm = [], []
    for i in range(runs):
        env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cache-{i}"))
        t, _, err = run(["build", str(stack), "--out", str(work / "hello-cold"), "--verbose"], ROOT, env)
        assert "compiled, saved to the compile cache" in err, err
        cold.append(t)
        t, _, err = run(["build", str(stack), "--out", str(work / "hello-warm"), "--verbose"], ROOT, env)
        assert "loaded from the compile cache" in err, err
        warm.append(t)
    ms = lambda xs: f"median {statistics.median(xs) * 1000:7.1f} ms  min {min(xs) * 1000:7.1f} ms"
    print("examples/stacks/03-hello-plugin (third-party plugin)")
    print(f"  empty compile cache    {ms(cold)}")
    print(f"  warm compile cache     {ms(warm)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit("build the release binary first: cargo build --release")
    print(f"stackc build benchmark, {os.cpu_count()} cores, {args.runs} runs each\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench("stacks/web-tls.kdl", ROOT / "stacks" / "web-tls.kdl", args.runs, work)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            stack = work / f"gen-{size}.kdl"
            stack.write_text(gen_stack.generate(size))
            bench(f"generated, {size} services", stack, max(3, args.runs // 4), work)
        bench_compile_cache(max(3, args.runs // 2), work)


if __name__ == "__main__":
    main()
