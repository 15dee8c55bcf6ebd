#!/usr/bin/env python3
"""Generates a stack of N nginx services for benchmarks.

Four in five services are static sites; every fifth is a TLS proxy whose upstream references
the four sites before it, so references, expose and render are all exercised.

    scripts/gen_stack.py 1000 > /tmp/gen-1000.kdl
"""

import sys


def generate(n: int) -> str:
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


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: gen_stack.py N")
    sys.stdout.write(generate(int(sys.argv[1])))
