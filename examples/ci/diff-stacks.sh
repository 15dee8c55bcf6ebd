#!/usr/bin/env bash
# Builds every stack under stacks/ at a base revision and at HEAD, each with the stackc of
# its own revision (so changes to plugins and emitters show up, not only changes to the
# stack files), and writes a Markdown report of `stackc diff` per stack to comment.md.
#
#   examples/ci/diff-stacks.sh BASE_REV [OUTPUT]
#
# Exit status: 0 when the report was written (whether or not outputs changed), 2 on errors.
# Outputs that changed are listed first in the report; `changed` is printed on stdout
# (`unchanged` otherwise) for jobs that want to label the merge request.
set -euo pipefail

base_rev=${1:?usage: diff-stacks.sh BASE_REV [OUTPUT]}
output=${2:-comment.md}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The base revision in its own worktree; the checkout the job runs in stays untouched.
git worktree add --detach "$work/base" "$base_rev" >/dev/null
# One target directory for both builds: the second build reuses what has not changed.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
(cd "$work/base" && cargo build --release --quiet --bin stackc && cp "$CARGO_TARGET_DIR/release/stackc" "$work/stackc-base")
cargo build --release --quiet --bin stackc
cp "$CARGO_TARGET_DIR/release/stackc" "$work/stackc-head"

changed=unchanged
{
    echo "## Effect on the built bundles"
    echo
    echo "Base \`$(git rev-parse --short "$base_rev")\` → head \`$(git rev-parse --short HEAD)\`."
    echo
} >"$output"

for stack in stacks/*.kdl; do
    name=$(basename "$stack" .kdl)
    if [ ! -f "$work/base/$stack" ]; then
        echo "### \`$name\`: new stack" >>"$output"
        echo >>"$output"
        changed=changed
        continue
    fi
    # The last line of `stackc build` names the bundle: `bundle <dir> (written)`.
    old=$(cd "$work/base" && "$work/stackc-base" build "$stack" --out "$work/out-base" | sed -n 's/^bundle \(.*\) (.*)$/\1/p')
    new=$("$work/stackc-head" build "$stack" --out "$work/out-head" | sed -n 's/^bundle \(.*\) (.*)$/\1/p')
    status=0
    "$work/stackc-head" diff "$old" "$new" --format markdown >"$work/$name.md" || status=$?
    case $status in
        0) echo "- \`$name\`: no change to any output" >>"$output" ;;
        1) changed=changed; { echo; cat "$work/$name.md"; echo; } >>"$output" ;;
        *) echo "stackc diff failed for $stack" >&2; exit 2 ;;
    esac
done

echo "$changed"
