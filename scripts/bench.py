#!/usr/bin/env python3
"""Benchmarks `stackc build` end to end against the floor and against `helm template`.

For generated stacks (`scripts/gen_stack.py`: a `k8s` mix and an `nginx` mix with
references) of growing size, one run measures side by side, interleaved so that machine
noise hits every column alike:

- **cold**: `stackc build` into a fresh output directory with an empty render cache (the
  built-in plugins are precompiled into stackc, so this is every service rendered);
- **floor**: copying the bundle that build wrote into a fresh directory and hashing every file
  (`cp -r` + `sha256sum`): the least any tool writing these files must do;
- **helm**: `helm template` of a chart that writes a Deployment and a Service per service (plus
  an nginx.conf and a prometheus.yml ConfigMap), when helm is installed (`scripts/setup.sh`
  puts it in `.tools/bin`);
- **no-op**: the same build again: inputs and bundle unchanged;
- **one change**: one service's config changed, everything else reused from the render cache.

Each figure is the median over `--runs` runs; peak RSS is the largest seen.

    cargo build --release && scripts/bench.py [--runs 5] [--sizes 10,100,1000,5000] [--mixes k8s,nginx]
"""

import argparse
import os
import platform
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


def timed(argv, cwd, env=None, stdout=subprocess.DEVNULL):
    """Runs a command; returns (seconds, peak RSS in KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, rusage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(map(str, argv))} failed:\n{stderr}")
    return elapsed, rusage.ru_maxrss, stderr


def helm_binary():
    local = ROOT / ".tools" / "bin" / "helm"
    return str(local) if local.exists() else shutil.which("helm")


CHART_TEMPLATE = """{{- range .Values.services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
spec:
  replicas: {{ .replicas }}
  selector:
    matchLabels:
      app: {{ .name }}
  template:
    metadata:
      labels:
        app: {{ .name }}
    spec:
      containers:
        - name: {{ .name }}
          image: {{ .image | quote }}
          ports:
            {{- range $name, $port := .ports }}
            - name: {{ $name }}
              containerPort: {{ $port }}
            {{- end }}
          env:
            {{- range $name, $value := .env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
spec:
  selector:
    app: {{ .name }}
  ports:
    {{- range $name, $port := .ports }}
    - name: {{ $name }}
      port: {{ $port }}
    {{- end }}
{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: nginx
data:
  nginx.conf: |
    events {}
    http {
    {{- range .Values.services }}
      upstream {{ .name }} { server {{ .name }}.{{ .namespace }}.svc:8080; }
    {{- end }}
    }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus
data:
  prometheus.yml: |
    scrape_configs:
    {{- range .Values.services }}
      - job_name: {{ .name }}
        static_configs:
          - targets: ["{{ .name }}.{{ .namespace }}.svc:9100"]
    {{- end }}
"""


def write_chart(directory: Path, n: int):
    """A chart equivalent to the k8s mix: a Deployment and a Service per service."""
    (directory / "templates").mkdir(parents=True)
    (directory / "Chart.yaml").write_text("apiVersion: v2\nname: bench\nversion: 0.1.0\n")
    (directory / "templates" / "services.yaml").write_text(CHART_TEMPLATE)
    lines = ["services:"]
    for i in range(n):
        lines += [
            f"  - name: app{i}",
            f"    namespace: team{i % 10}",
            f"    image: registry.example.org/app{i}:1.{i % 7}.0",
            f"    replicas: {1 + i % 3}",
            "    ports: {http: 8080, metrics: 9100}",
            f"    env: {{LOG_LEVEL: info, APP_INDEX: '{i}', TEAM: team{i % 10}}}",
        ]
    (directory / "values.yaml").write_text("\n".join(lines) + "\n")


def one_service_changed(text: str, mix: str, variant: int) -> str:
    """The stack with one service's config changed (two variants, alternated)."""
    if mix == "k8s":
        return text.replace("registry.example.org/app0:1.0.0", f"registry.example.org/app0:2.{variant}.0", 1)
    return text.replace("<h1>site 0</h1>", f"<h1>site 0, v{variant}</h1>", 1)


def bench(mix, n, runs, work, helm):
    base = work / f"{mix}-{n}"
    base.mkdir()
    stack = base / "stack.kdl"
    text = gen_stack.generate(n, mix)
    stack.write_text(text)
    cold, floor, noop, change, helm_times = [], [], [], [], []
    rss = {"stackc": 0, "helm": 0}
    files = 0
    chart = base / "chart"
    if helm:
        write_chart(chart, n)
    for i in range(runs):
        cache = base / f"cache-{i}"
        out = base / f"out-{i}"
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        argv = [str(BIN), "build", str(stack), "--out", str(out), "--quiet"]
        t, r, _ = timed(argv, base, env)
        cold.append(t)
        rss["stackc"] = max(rss["stackc"], r)

        (stack_dir,) = [p for p in out.iterdir() if p.is_dir()]
        bundle = (stack_dir / "current").resolve()
        files = sum(1 for p in bundle.rglob("*") if p.is_file())
        copy = base / f"copy-{i}"
        script = f'cp -r "{bundle}" "{copy}" && find "{copy}" -type f -print0 | xargs -0 sha256sum > /dev/null'
        t, _, _ = timed(["sh", "-c", script], base)
        floor.append(t)
        shutil.rmtree(copy)

        t, r, _ = timed(argv, base, env)
        noop.append(t)
        rss["stackc"] = max(rss["stackc"], r)

        stack.write_text(one_service_changed(text, mix, i))
        t, r, _ = timed(argv, base, env)
        change.append(t)
        rss["stackc"] = max(rss["stackc"], r)
        stack.write_text(text)

        if helm:
            t, r, _ = timed([helm, "template", "bench", str(chart)], base, dict(os.environ, HOME=str(base)))
            helm_times.append(t)
            rss["helm"] = max(rss["helm"], r)
        shutil.rmtree(out)
        shutil.rmtree(cache)
    median = statistics.median
    return {
        "mix": mix,
        "n": n,
        "files": files,
        "floor": median(floor),
        "cold": median(cold),
        "helm": median(helm_times) if helm_times else None,
        "noop": median(noop),
        "change": median(change),
        "rss": rss["stackc"] / 1024,
        "helm_rss": rss["helm"] / 1024 if helm_times else None,
    }


def ms(seconds):
    return f"{seconds * 1000:,.1f} ms"


def table(rows):
    header = (
        "| mix | N | files | floor (cp + sha256sum) | stackc cold | cold / floor | helm template | helm / stackc "
        "| no-op rebuild | no-op / floor | one service changed | peak RSS stackc | peak RSS helm |"
    )
    lines = [header, "|" + "---|" * 13]
    for r in rows:
        helm = ms(r["helm"]) if r["helm"] is not None else "n/a"
        speedup = f"{r['helm'] / r['cold']:.1f}×" if r["helm"] is not None else "n/a"
        helm_rss = f"{r['helm_rss']:.0f} MB" if r["helm_rss"] is not None else "n/a"
        lines.append(
            f"| {r['mix']} | {r['n']:,} | {r['files']:,} | {ms(r['floor'])} | {ms(r['cold'])} "
            f"| {r['cold'] / r['floor']:.2f}× | {helm} | {speedup} | {ms(r['noop'])} "
            f"| {r['noop'] / r['floor']:.2f}× | {ms(r['change'])} | {r['rss']:.0f} MB | {helm_rss} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--mixes", default="k8s,nginx")
    parser.add_argument(
        "--dir",
        default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None,
        help="where stacks and bundles are written (default: /dev/shm, a tmpfs, when there is one: "
        "on a disk file system, re-creating thousands of just-deleted files measures the file system)",
    )
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit("build the release binary first: cargo build --release")
    helm = helm_binary()
    print(
        f"stackc build benchmark: {platform.machine()}, {os.cpu_count()} cores, "
        f"median of {args.runs} runs, helm: {helm or 'not installed'}, "
        f"files in {args.dir or tempfile.gettempdir()}, {time.strftime('%Y-%m-%d')}\n"
    )
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        for mix in args.mixes.split(","):
            for n in [int(s) for s in args.sizes.split(",") if s]:
                rows.append(bench(mix, n, args.runs, work, helm))
                print(f"  {mix} N={n}: cold {ms(rows[-1]['cold'])}", file=sys.stderr)
    print(table(rows))
    for mix in args.mixes.split(","):
        by_n = {r["n"]: r for r in rows if r["mix"] == mix}
        if 1000 in by_n and 5000 in by_n:
            print(f"\n{mix}: cold at 5000 / cold at 1000 = {by_n[5000]['cold'] / by_n[1000]['cold']:.2f} (linear: 5.0)")


if __name__ == "__main__":
    main()
