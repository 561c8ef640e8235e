#!/usr/bin/env bash
# Builds Herald's container image from deploy/Dockerfile (`make image`).
#   HERALD_IMAGE   the tag to give it (default herald:dev, the name docker-compose.yml uses);
#                  it is also tagged herald:<version>, the tag the Helm chart pulls by default
#   HERALD_IMAGE_SOURCE   the org.opencontainers.image.source label (default: git's origin URL)
# Extra arguments go to the build (e.g. --platform linux/arm64, --push with a registry tag).
# Exits 2 when no Docker engine answers: the Dockerfile is still checked offline by
# scripts/checks/20-dockerfile.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

image="${HERALD_IMAGE:-herald:dev}"

if ! command -v docker >/dev/null 2>&1; then
    echo "image: no docker CLI here; install Docker (or run this where one is) to build $image" >&2
    exit 2
fi
if ! docker info >/dev/null 2>&1; then
    echo "image: no Docker engine here (\`docker info\` gets no answer); start one, or set" \
        "DOCKER_HOST to one, to build $image" >&2
    exit 2
fi

version="$(awk '/^\[workspace.package\]/ {p = 1; next} /^\[/ {p = 0}
    p && $1 == "version" {gsub(/"/, "", $3); print $3; exit}' Cargo.toml)"
revision="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain 2>/dev/null)" ]; then
    revision="$revision-dirty"
fi
source_url="${HERALD_IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || true)}"

args=(
    --file deploy/Dockerfile
    --tag "$image"
    --tag "herald:${version:-dev}"
    --build-arg "VERSION=${version:-dev}"
    --build-arg "REVISION=$revision"
    --build-arg "SOURCE=$source_url"
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
)

# The Dockerfile's cache mounts need BuildKit: buildx where installed, else the engine's own.
if docker buildx version >/dev/null 2>&1; then
    echo "image: docker buildx build -> $image (version ${version:-dev}, revision $revision)"
    docker buildx build --load "${args[@]}" "$@" .
else
    echo "image: docker build (BuildKit) -> $image (version ${version:-dev}, revision $revision)"
    DOCKER_BUILDKIT=1 docker build "${args[@]}" "$@" .
fi
echo "image: built $image"
