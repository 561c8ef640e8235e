#!/usr/bin/env bash
# Installs yamllint (once) into the shared tools venv and prints its path on stdout.
set -euo pipefail
venv="$(bash "$(dirname "${BASH_SOURCE[0]}")/pip-tool.sh" yamllint 1.38.0)"
echo "$venv/bin/yamllint"
