#!/usr/bin/env bash
# The project's checks: set-up, formatting, lints, then every test. The integration tests
# check generated artifacts with the real tools, which scripts/setup.sh installs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh

PATH="$PWD/.venv/bin:$PWD/.tools/bin:$PATH"
export PATH

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo shear (no unused dependencies)"
cargo shear

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "all checks passed"
