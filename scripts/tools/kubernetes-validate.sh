#!/usr/bin/env bash
# Installs kubernetes-validate (once) into the shared tools venv and prints its path on stdout.
# It carries the Kubernetes OpenAPI schemas itself, so validation needs no cluster and no network
# after the install.
#
# `kubernetes-validate.sh crd-models` instead installs (once) the validators of the custom
# resources Herald's chart renders and kubernetes-validate has no schema for: ServiceMonitor and
# PodMonitor (prometheus-operator) and ScaledObject (KEDA). They come from the kubernetes-models
# npm packages, generated from those projects' Go types, and the node_modules folder holding
# them is printed.
set -euo pipefail

PACKAGE=kubernetes-validate
VERSION=1.37.0
CRD_MODELS=("@kubernetes-models/prometheus-operator@6.0.0" "@kubernetes-models/keda@2.0.0")

tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"

if [ "${1:-}" = "crd-models" ]; then
    dest="$tools/kubernetes-models-prom6.0.0-keda2.0.0"
    if [ -f "$dest/.complete" ]; then
        echo "$dest/node_modules"
        exit 0
    fi
    if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
        echo "kubernetes-validate.sh: node and npm are needed for the CRD validators (apt-get install nodejs npm)" >&2
        exit 1
    fi
    mkdir -p "$tools"
    scratch="$(mktemp -d "$tools/.kubernetes-models.XXXXXX")"
    trap 'rm -rf "$scratch"' EXIT
    echo "kubernetes-validate.sh: npm install ${CRD_MODELS[*]}" >&2
    if ! npm install --silent --no-audit --no-fund --prefix "$scratch" "${CRD_MODELS[@]}" >&2; then
        echo "kubernetes-validate.sh: npm install ${CRD_MODELS[*]} failed (is the npm registry reachable?)" >&2
        exit 1
    fi
    touch "$scratch/.complete"
    chmod 0755 "$scratch"
    # Whichever concurrent run renames first wins; the other's copy is dropped by the trap.
    mv -T "$scratch" "$dest" 2>/dev/null || true
    if [ ! -f "$dest/.complete" ]; then
        echo "kubernetes-validate.sh: could not install the CRD validators into $dest" >&2
        exit 1
    fi
    echo "$dest/node_modules"
    exit 0
fi
venv="$(bash "$(dirname "${BASH_SOURCE[0]}")/pip-tool.sh" "$PACKAGE" "$VERSION")"
echo "$venv/bin/kubernetes-validate"
