#!/usr/bin/env bash
# Builds the `motd` plugin into target/stackc/motd.wasm and prints its sha256.
#
#   1. `wit-bindgen c` generates the bindings (C types for the WIT records, the exported
#      functions' glue, and an object holding the component type) from stackc's own WIT
#      directory, which stays the one copy of the contract;
#   2. Debian's clang compiles the sources and the bindings for wasm32 and links a core
#      module. wasi-libc gives headers, malloc and string functions, none of which reach a
#      WASI import, and the module is a reactor: no `main`, and wasi-libc's `_initialize`,
#      which the component calls once, in place of C's start-up code;
#   3. `wasm-tools component new` wraps it into a component, checked to import nothing but
#      stackc's host interface (stackc refuses anything else).
#
# Reproducible: the tools are pinned (checked below, since another version gives other
# bytes), nothing carries debug information, and source paths are mapped to `.`: the same
# sources give the same component wherever the checkout lives. Every run starts from
# scratch under target/; it takes a second or two.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
# The contract, read where the SDK keeps it (relative, so that a copy of the repository
# builds alike).
wit=../../../plugins/stackc-plugin-sdk/wit/since_v0.4.0

CLANG_VERSION=14.0.6
WIT_BINDGEN_VERSION=0.61.1
WASM_TOOLS_VERSION=1.263.0

fail() { printf 'motd-c: %s\n' "$*" >&2; exit 1; }

# --- The pinned tools -------------------------------------------------------------------------
for tool in clang wit-bindgen wasm-tools; do
    command -v "$tool" >/dev/null || fail "$tool is needed; scripts/setup.sh installs it"
done
[[ $(clang --version) == *"clang version $CLANG_VERSION"* ]] ||
    fail "clang $CLANG_VERSION is needed (Debian bookworm's), found: $(clang --version | head -1)"
[[ $(wit-bindgen --version) == "wit-bindgen-cli $WIT_BINDGEN_VERSION" ]] ||
    fail "wit-bindgen $WIT_BINDGEN_VERSION is needed, found: $(wit-bindgen --version)"
[[ $(wasm-tools --version) == "wasm-tools $WASM_TOOLS_VERSION" ]] ||
    fail "wasm-tools $WASM_TOOLS_VERSION is needed, found: $(wasm-tools --version)"
[[ -f $wit/plugin.wit ]] || fail "no WIT at $wit: build from a checkout of the repository"

# --- 1. Bindings ------------------------------------------------------------------------------
rm -rf target/bindings target/obj
mkdir -p target/bindings target/obj target/stackc
# It names every file it writes on stderr: shown only when it fails.
log=$(wit-bindgen c "$wit" --out-dir target/bindings 2>&1) || fail "wit-bindgen failed:"$'\n'"$log"

# --- 2. A core module -------------------------------------------------------------------------
cflags=(--target=wasm32-wasi --sysroot=/usr -std=c11 -O2 "-ffile-prefix-map=$here=." -Itarget/bindings)
# Warnings are errors in our sources; the generated bindings are not ours to fix.
ours=(-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Werror)
objects=()
for source in src/*.c; do
    object=target/obj/$(basename "$source" .c).o
    clang "${cflags[@]}" "${ours[@]}" -Isrc -c "$source" -o "$object"
    objects+=("$object")
done
clang "${cflags[@]}" -c target/bindings/plugin.c -o target/obj/bindings.o
objects+=(target/obj/bindings.o target/bindings/plugin_component_type.o)
# wasi-libc's objects carry DWARF with paths of its own build: stripped with our own.
clang --target=wasm32-wasi --sysroot=/usr -mexec-model=reactor -Wl,--strip-debug \
    "${objects[@]}" -o target/motd.core.wasm

# --- 3. A component ---------------------------------------------------------------------------
wasm-tools component new target/motd.core.wasm -o target/motd.wasm.tmp
wasm-tools validate target/motd.wasm.tmp
imports=$(wasm-tools component wit target/motd.wasm.tmp | sed -n 's/^ *import \([^;]*\);$/\1/p' | sort -u)
while read -r import; do
    case $import in
        stackc:plugin/host@0.4.0 | stackc:plugin/types@0.4.0) ;;
        *) fail "the component imports $import: stackc gives a plugin nothing but its host interface" ;;
    esac
done <<<"$imports"
# Renamed into place whole, so that a reader never sees half a component.
mv target/motd.wasm.tmp target/stackc/motd.wasm

printf 'built target/stackc/motd.wasm\nsha256 %s\n' "$(sha256sum target/stackc/motd.wasm | cut -d' ' -f1)"
