#!/usr/bin/env bash
# Grafana dashboards in deploy/grafana/: valid JSON, a unique stable uid each, datasources only
# through the ${prometheus} / ${tempo} variables (so they import into any Grafana), unique
# panel ids, every panel described, and every PromQL expression parsed by promtool. Which
# metrics they name is checked against a real /metrics scrape by the Rust test
# crates/herald/tests/it/dashboards.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v python3 >/dev/null 2>&1; then
    echo "41-dashboards: python3 is needed (apt-get install python3)" >&2
    exit 1
fi

promtool="$(bash scripts/tools/promtool.sh)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

summary="$(python3 - "$scratch/exprs.yml" deploy/grafana/*.json <<'EOF'
import json
import re
import sys

ALLOWED_DATASOURCES = {"${prometheus}", "${tempo}", "-- Grafana --"}
problems = []
uids = {}
exprs_out = sys.argv[1]
exprs = []
files = [f for f in sys.argv[2:] if not f.endswith("*.json")]
if not files:
    problems.append("deploy/grafana/ holds no dashboard")


def panels_of(board):
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def datasource_uids(node):
    if isinstance(node, dict):
        ds = node.get("datasource")
        if isinstance(ds, dict):
            yield ds.get("uid")
        elif isinstance(ds, str):
            yield ds
        for value in node.values():
            yield from datasource_uids(value)
    elif isinstance(node, list):
        for value in node:
            yield from datasource_uids(value)


for path in files:
    try:
        with open(path, encoding="utf-8") as f:
            board = json.load(f)
    except (OSError, ValueError) as error:
        problems.append(f"{path}: not valid JSON: {error}")
        continue
    uid = board.get("uid")
    if not isinstance(uid, str) or not uid or len(uid) > 40:
        problems.append(f"{path}: needs a uid of 1 to 40 characters")
    elif uid in uids:
        problems.append(f"{path}: uid {uid} is already used by {uids[uid]}")
    else:
        uids[uid] = path
    if not board.get("title"):
        problems.append(f"{path}: has no title")
    if not isinstance(board.get("schemaVersion"), int):
        problems.append(f"{path}: has no schemaVersion")
    if board.get("id") is not None:
        problems.append(f"{path}: id must be null (Grafana assigns it on import)")
    names = {v.get("name") for v in board.get("templating", {}).get("list", [])}
    for needed in ("prometheus", "tempo"):
        if needed not in names:
            problems.append(f"{path}: has no ${needed} datasource variable")
    for ds in datasource_uids(board):
        if ds not in ALLOWED_DATASOURCES:
            problems.append(f"{path}: datasource {ds!r} is hard-coded; use ${{prometheus}} or ${{tempo}}")
    ids = set()
    for panel in panels_of(board):
        title = panel.get("title", "?")
        if panel.get("id") in ids:
            problems.append(f"{path}: panel id {panel.get('id')} ({title}) is used twice")
        ids.add(panel.get("id"))
        if panel.get("type") == "row":
            continue
        if not panel.get("description"):
            problems.append(f"{path}: panel {title!r} has no description")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{path}: panel {title!r} has no query")
        for target in targets:
            kind = (target.get("datasource") or panel.get("datasource") or {}).get("type")
            if kind == "prometheus" and not target.get("expr", "").strip():
                problems.append(f"{path}: panel {title!r} target {target.get('refId')} has no expr")
            elif kind == "prometheus":
                exprs.append((f"{path}: {title} ({target.get('refId')})", target["expr"]))
            if kind == "tempo" and not target.get("query", "").strip():
                problems.append(f"{path}: panel {title!r} target {target.get('refId')} has no query")

# Grafana's variables are not PromQL: put plain values in their place so promtool can parse
# each expression as a recording rule.
def plain(expr):
    expr = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
    return re.sub(r"\$\{?(job|instance|tenant|subscription)\}?", "x", expr)


with open(exprs_out, "w", encoding="utf-8") as f:
    rules = [{"record": "dashboard_expression", "expr": plain(e), "labels": {"panel": w}} for w, e in exprs]
    json.dump({"groups": [{"name": "dashboards", "rules": rules}]}, f)
with open(exprs_out + ".index", "w", encoding="utf-8") as f:
    f.writelines(f"rule {n}: {where}\n" for n, (where, _) in enumerate(exprs, 1))

for problem in problems:
    print(f"41-dashboards: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"{len(files)} dashboard(s), uids {', '.join(sorted(uids))}, {len(exprs)} PromQL expressions")
EOF
)"
if ! out="$("$promtool" check rules "$scratch/exprs.yml" 2>&1)"; then
    echo "$out" >&2
    # promtool numbers the rules; name the panels behind those numbers.
    grep -o 'rule [0-9]*,' <<<"$out" | tr -d , | while read -r rule; do
        grep "^$rule:" "$scratch/exprs.yml.index" >&2 || true
    done
    echo "41-dashboards: a dashboard's PromQL does not parse" >&2
    exit 1
fi
echo "41-dashboards: valid: $summary"
