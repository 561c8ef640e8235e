#!/usr/bin/env bash
# Browser tests of the console (console/tests): Playwright (playwright-core from npm) driving
# Debian's chromium against a real Herald with NATS, Postgres and local receivers.
# Checks what it needs, installs what it can (chromium by apt when root), builds Herald,
# then runs the tests. Screenshots land in target/console-shots/.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'console-test: %s\n' "$*"; }
die() { printf 'console-test: error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "node is missing (Node.js 20 or later; apt-get install nodejs npm)."
command -v npm >/dev/null || die "npm is missing (apt-get install npm)."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "node $(node --version) is too old; the tests need Node.js 20 or later."
command -v psql >/dev/null || die "psql is missing (apt-get install postgresql-client); the tests make their own database."

CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "chromium is missing; installing Debian's chromium with apt-get."
        apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; } \
            || die "apt-get could not install chromium."
        CHROMIUM=$(command -v chromium) || die "chromium is still missing after apt-get."
    else
        die "chromium is missing: install it (Debian: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium."
    fi
fi
export CHROMIUM

scripts/dev-services.sh

if [ -f console/tests/package-lock.json ]; then
    say "npm ci (playwright-core, axe-core)"
    npm ci --prefix console/tests --no-audit --no-fund --loglevel=error
else
    say "no package-lock.json; npm install"
    npm install --prefix console/tests --no-audit --no-fund --loglevel=error
fi

say "cargo build -p herald"
${CARGO:-cargo} build -p herald

say "running the browser tests"
cd console/tests
node --test --test-concurrency=1 --test-reporter=spec console.test.mjs
say "screenshots are in target/console-shots/"
