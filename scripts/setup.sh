#!/usr/bin/env bash
# Installs what the build and the tests need on a Debian bookworm machine, as root:
# system packages for the real tools that check generated artifacts, the wasm target the
# plugins are compiled for, and a Python virtualenv (.venv) with the Ansible tool chain.
#
# Idempotent: every step is skipped when its result is already present, so a second run
# takes a second or two.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

say() { printf 'setup: %s\n' "$*"; }

APT_PACKAGES=(
    nginx openssl sslscan shellcheck graphviz
    prometheus prometheus-alertmanager prometheus-node-exporter
    etcd-server etcd-client
    redis-server redis-tools
    daemontools curl
    # `ip`, for the network namespace in which `nginx -t` binds the generated addresses.
    iproute2
)
# The virtualenv is made with Debian's own Python when there is one: its python3-apt is what
# Ansible's apt module uses. Creating it needs ensurepip, which Debian ships as python3-venv.
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    APT_PACKAGES+=(python3-venv)
fi

# Python packages of the virtualenv. ansible-core 2.20 needs Python 3.12 or newer.
PIP_PACKAGES=("ansible-core<2.20" ansible-lint yamllint check-jsonschema kubernetes-validate)
VENV_TOOLS=(ansible-playbook ansible-inventory ansible-lint yamllint check-jsonschema kubernetes-validate)

apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# 1. Keep services from starting when their packages are installed.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    say "creating /usr/sbin/policy-rc.d (no service starts on install)"
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
fi

# 2. System packages.
missing=()
for package in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    if [[ $status != ii* ]]; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
else
    say "system packages present"
fi

# 3. The wasm target the plugins are compiled for (for the toolchain rust-toolchain.toml pins).
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rust target wasm32-unknown-unknown present"
else
    say "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# 4. The Python virtualenv with the Ansible tool chain.
venv="$root/.venv"
venv_ready() {
    [[ -x $venv/bin/python ]] || return 1
    for tool in "${VENV_TOOLS[@]}"; do
        [[ -x $venv/bin/$tool ]] || return 1
    done
    "$venv/bin/python" - "${PIP_PACKAGES[@]}" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
from packaging.requirements import Requirement
for spec in sys.argv[1:]:
    requirement = Requirement(spec)
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        sys.exit(1)
    if not requirement.specifier.contains(installed, prereleases=True):
        sys.exit(1)
EOF
}
if venv_ready; then
    say "virtualenv .venv present"
else
    if [[ ! -x $venv/bin/python ]]; then
        say "creating virtualenv .venv with $("$python" --version)"
        "$python" -m venv "$venv"
    fi
    say "installing ${PIP_PACKAGES[*]} into .venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "${PIP_PACKAGES[@]}"
    venv_ready || { say "the virtualenv is incomplete after installing"; exit 1; }
fi

say "done"

# ---------------------------------------------------------------------------------------------
# 5. The kubernetes.core collection, for the Kubernetes playbook (ansible/kubernetes.yml) that
#    ansible-playbook --syntax-check and ansible-lint check. It comes with the `ansible`
#    package; 12.x is the release built on ansible-core 2.19, the newest core for Python 3.11.
kube_collection_ready() {
    compgen -G "$venv/lib/python3*/site-packages/ansible_collections/kubernetes/core/MANIFEST.json" >/dev/null
}
if kube_collection_ready; then
    say "ansible collection kubernetes.core present"
else
    say "installing ansible 12.x (collections incl. kubernetes.core) into .venv"
    "$venv/bin/python" -m pip install --quiet "ansible>=12,<13" "ansible-core<2.20"
    kube_collection_ready || { say "kubernetes.core is missing after installing ansible"; exit 1; }
fi
say "kubernetes.core ready"

# ---------------------------------------------------------------------------------------------
# 6. The bookworm-lab tests (tests/it/lab.rs): etcd members, svscan/supervise/multilog/svstat/svc
#    for the probe, shellcheck for its run scripts, systemd-analyze for its unit and python3 for
#    the probe itself. Most come with step 2; systemd-analyze comes with systemd, which slim
#    container images lack.
if ! command -v systemd-analyze >/dev/null; then
    say "installing systemd (for systemd-analyze)"
    apt_get install -y -qq --no-install-recommends systemd
fi
for lab_tool in etcd etcdctl svscan supervise multilog svstat svc setuidgid shellcheck systemd-analyze python3; do
    command -v "$lab_tool" >/dev/null || { say "$lab_tool is missing (bookworm-lab tests)"; exit 1; }
done
say "bookworm-lab tools present"

# ---------------------------------------------------------------------------------------------
# 7. The monitoring tests (tests/it/monitoring.rs): promtool, amtool, prometheus and
#    prometheus-node-exporter come with step 2. Grafana has no Debian package, so its
#    dashboards are checked against the JSON Schema of @grafana/schema's `Dashboard` type,
#    generated with ts-json-schema-generator into .tools/grafana-schema/dashboard.schema.json.
for monitoring_tool in promtool amtool prometheus prometheus-node-exporter curl; do
    command -v "$monitoring_tool" >/dev/null || { say "$monitoring_tool is missing (monitoring tests)"; exit 1; }
done
grafana_schema="$root/.tools/grafana-schema"
if [[ -s "$grafana_schema/dashboard.schema.json" ]]; then
    say "grafana dashboard schema present"
else
    if ! command -v npm >/dev/null; then
        say "installing npm (for the Grafana dashboard schema)"
        apt_get install -y -qq --no-install-recommends npm
    fi
    mkdir -p "$grafana_schema"
    say "generating the Grafana dashboard schema from @grafana/schema 13.2.3"
    (
        cd "$grafana_schema"
        npm install --silent --no-audit --no-fund @grafana/schema@13.2.3 ts-json-schema-generator@2.4.0
        # The package root has two `DataSourceRef`s; the raw dashboard types have one.
        ./node_modules/.bin/ts-json-schema-generator --no-type-check --type Dashboard \
            --path node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts \
            -o dashboard.schema.json.tmp
        mv dashboard.schema.json.tmp dashboard.schema.json
    )
    [[ -s "$grafana_schema/dashboard.schema.json" ]] || { say "the Grafana dashboard schema is missing"; exit 1; }
fi
say "monitoring tools present"
