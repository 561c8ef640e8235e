#!/usr/bin/env bash
# Prometheus alert rules: `promtool check rules` (syntax, PromQL, templates) and
# `promtool test rules` (deploy/prometheus/*.test.yml: each alert fires when it should and
# only then).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

promtool="$(bash scripts/tools/promtool.sh)"
shopt -s nullglob
rules=()
for file in deploy/prometheus/*.yml; do
    case "$file" in *.test.yml) ;; *) rules+=("$file") ;; esac
done
tests=(deploy/prometheus/*.test.yml)
if [ "${#rules[@]}" -eq 0 ] || [ "${#tests[@]}" -eq 0 ]; then
    echo "40-alerts: no rule files or no rule tests in deploy/prometheus/" >&2
    exit 1
fi
# promtool prints SUCCESS for each file; only its failures are worth the screen.
if ! out="$("$promtool" check rules "${rules[@]}" 2>&1)"; then
    echo "$out" >&2
    echo "40-alerts: promtool check rules failed" >&2
    exit 1
fi
if ! out="$("$promtool" test rules "${tests[@]}" 2>&1)"; then
    echo "$out" >&2
    echo "40-alerts: promtool test rules failed" >&2
    exit 1
fi
# Every alert needs a runbook entry (a `### Name` heading in docs/operations.md, which becomes
# the anchor its runbook_url names) and at least one unit test.
problems=()
while read -r name; do
    anchor="$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')"
    grep -q "runbook_url: \"docs/operations.md#$anchor\"" "${rules[@]}" ||
        problems+=("$name has no runbook_url docs/operations.md#$anchor")
    grep -qsx "### $name" docs/operations.md ||
        problems+=("$name has no '### $name' runbook entry in docs/operations.md")
    grep -q "alertname: $name\$" "${tests[@]}" ||
        problems+=("$name has no unit test (alertname: $name)")
done < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "${rules[@]}")
if [ "${#problems[@]}" -gt 0 ]; then
    printf '40-alerts: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "40-alerts: ${#rules[@]} rule file(s) valid, ${#tests[@]} test file(s) pass ($("$promtool" --version 2>&1 | head -1))"
