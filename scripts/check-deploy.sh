#!/usr/bin/env bash
# Checks the deploy files offline (container, compose, Helm, dashboards, alerts): runs every
# scripts/checks/*.sh in name order and names each that fails. Each check installs or finds
# its own tools (scripts/tools/) and says clearly what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
failed=()
for check in scripts/checks/*.sh; do
    [ -e "$check" ] || continue
    echo "== $check"
    if ! bash "$check"; then
        failed+=("$check")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "deploy checks failed: ${failed[*]}" >&2
    exit 1
fi
echo "deploy checks passed"
