#!/usr/bin/env bash
# Finds or installs promtool (once) and prints its path on stdout.
# promtool ships in Debian's `prometheus` package (2.42 on bookworm). Installing that package
# would also install and try to start a Prometheus server, so the package is only downloaded
# and promtool, a self-contained Go binary, is unpacked into the tools folder; this needs no
# root. A promtool already on PATH (e.g. from `apt-get install prometheus`) is used as it is.
set -euo pipefail

tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"
dest="$tools/promtool"
bin="$dest/promtool"

if command -v promtool >/dev/null 2>&1; then
    command -v promtool
    exit 0
fi
if [ -x "$bin" ]; then
    echo "$bin"
    exit 0
fi

for cmd in apt-get dpkg-deb; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "promtool.sh: '$cmd' is needed to fetch Debian's prometheus package;" \
            "without Debian, install promtool (Prometheus 2.42 or newer) on PATH" >&2
        exit 1
    fi
done

mkdir -p "$tools"
scratch="$(mktemp -d "$tools/.promtool-install.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
# apt's sandbox user cannot write into a root-owned scratch folder; let it.
chmod 0777 "$scratch"

download() {
    (cd "$scratch" && apt-get download prometheus >/dev/null 2>"$scratch/apt.log")
}

echo "promtool.sh: fetching Debian's prometheus package for promtool" >&2
if ! download; then
    # A fresh machine may have no package lists yet; only root can fetch them.
    if [ "$(id -u)" = 0 ] && apt-get update -qq >&2 && download; then
        :
    else
        cat "$scratch/apt.log" >&2 || true
        echo "promtool.sh: 'apt-get download prometheus' failed: promtool is missing." \
            "Run 'apt-get update && apt-get install prometheus' as root, or put promtool on PATH" >&2
        exit 1
    fi
fi

dpkg-deb -x "$scratch"/prometheus_*.deb "$scratch/pkg"
if [ ! -x "$scratch/pkg/usr/bin/promtool" ]; then
    echo "promtool.sh: the prometheus package holds no usr/bin/promtool" >&2
    exit 1
fi
mkdir -p "$scratch/final"
chmod 0755 "$scratch/final"
mv "$scratch/pkg/usr/bin/promtool" "$scratch/final/promtool"
# Another run may have installed it meanwhile: a rename into place keeps either result whole.
if ! mv -T "$scratch/final" "$dest" 2>/dev/null && [ ! -x "$bin" ]; then
    echo "promtool.sh: could not install promtool into $dest" >&2
    exit 1
fi
echo "promtool.sh: installed $("$bin" --version 2>&1 | head -1)" >&2
echo "$bin"
