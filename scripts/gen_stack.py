#!/usr/bin/env python3
"""Generates stacks of N services for benchmarks.

Mixes:
- nginx: four in five services are static sites; every fifth is a TLS proxy whose upstream
  references the four sites before it, so references, expose and render are all exercised;
- k8s: Kubernetes apps, each with a namespace, an image, replicas, two ports and three
  environment values.

    scripts/gen_stack.py 1000 > /tmp/gen-1000.kdl
    scripts/gen_stack.py --mix k8s 1000 > /tmp/k8s-1000.kdl
"""

import argparse


def nginx(n: int) -> str:
    hosts = max(1, n // 20)
    out = [f'stack "gen-{n}" description="{n} generated nginx services"', ""]
    out.append('secret "tls-cert" vault="vault_tls_cert"')
    out.append('secret "tls-key" vault="vault_tls_key"')
    out.append("")
    for h in range(hosts):
        out.append(f'host "h{h}" address="10.{h // 250}.{h % 250}.10" {{')
        out.append('    groups "all-hosts"')
        out.append("}")
    out.append("")
    for i in range(n):
        host = f"h{i % hosts}"
        port = 10000 + i
        if i % 5 == 4:
            out.append(f'service "proxy{i}" plugin="nginx" on="{host}" {{')
            out.append(f"    listen {port}")
            out.append("    tls {")
            out.append('        certificate (secret)"tls-cert"')
            out.append('        key (secret)"tls-key"')
            out.append("    }")
            out.append('    upstream "sites" {')
            for j in range(i - 4, i):
                out.append(f'        servers (ref)"site{j}.http"')
            out.append("        keepalive 8")
            out.append("    }")
            out.append('    location "/" {')
            out.append('        proxy "sites"')
            out.append("    }")
            out.append("}")
        else:
            out.append(f'service "site{i}" plugin="nginx" on="{host}" {{')
            out.append(f"    listen {port}")
            out.append("    files {")
            out.append(f'        "index.html" "<h1>site {i}</h1>"')
            out.append("    }")
            out.append("}")
    return "\n".join(out) + "\n"


def k8s(n: int) -> str:
    out = [f'stack "k8s-{n}" description="{n} generated Kubernetes apps"', ""]
    for i in range(n):
        out.append(f'service "app{i}" plugin="k8s" {{')
        out.append(f'    namespace "team{i % 10}"')
        out.append(f'    image "registry.example.org/app{i}:1.{i % 7}.0"')
        out.append(f"    replicas {1 + i % 3}")
        out.append("    ports {")
        out.append("        http 8080")
        out.append("        metrics 9100")
        out.append("    }")
        out.append("    env {")
        out.append('        LOG_LEVEL "info"')
        out.append(f'        APP_INDEX "{i}"')
        out.append(f'        TEAM "team{i % 10}"')
        out.append("    }")
        out.append("}")
    return "\n".join(out) + "\n"


MIXES = {"nginx": nginx, "k8s": k8s}


def generate(n: int, mix: str = "nginx") -> str:
    return MIXES[mix](n)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Generates a stack of N services.")
    parser.add_argument("--mix", choices=sorted(MIXES), default="nginx")
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    print(generate(args.n, args.mix), end="")
