#!/usr/bin/env bash
# Checks the Helm chart helm/herald offline:
#   1. yamllint on the chart's values files and Chart.yaml (not templates/: they are not YAML);
#   2. `helm lint --strict` with every values file in helm/herald/ci/;
#   3. `helm template` of each of them, validated by kubernetes-validate --strict against the
#      oldest (kubeVersion) and newest Kubernetes schemas it has, its custom resources
#      (ServiceMonitor, PodMonitor, ScaledObject) by the kubernetes-models validators, and the
#      chart's own promises by helm/tests/split_rendered.py;
#   4. every values file in helm/tests/invalid/ must make `helm template` fail, with the message
#      its `# expect:` line names (typos refused by values.schema.json, missing secrets, …).
# The chart's optional dependencies (NATS, CloudNativePG) cannot be downloaded here, and helm
# refuses a chart whose declared dependencies are missing from charts/ even when they are
# disabled; so the chart is checked from a scratch copy holding empty stand-in charts of the
# same names and versions. They render nothing: the bundled-dependency values file checks
# Herald's side of that wiring only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

chart_src=helm/herald
oldest_kube=1.27.0 # the chart's kubeVersion floor
newest_kube=1.37.0

fail() {
    echo "30-helm: $*" >&2
    exit 1
}

helm_bin="$(bash scripts/tools/helm.sh)" || fail "cannot install helm (scripts/tools/helm.sh)"
validate_bin="$(bash scripts/tools/kubernetes-validate.sh)" ||
    fail "cannot install kubernetes-validate (scripts/tools/kubernetes-validate.sh)"
crd_modules="$(bash scripts/tools/kubernetes-validate.sh crd-models)" ||
    fail "cannot install the CRD validators (scripts/tools/kubernetes-validate.sh crd-models)"
python="$(dirname "$validate_bin")/python"

yamllint_bin="$(bash scripts/tools/yamllint.sh)" || fail "cannot install yamllint (scripts/tools/yamllint.sh)"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/herald-helm.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export HELM_CACHE_HOME="$scratch/helm/cache" HELM_CONFIG_HOME="$scratch/helm/config"
export HELM_DATA_HOME="$scratch/helm/data"

chart="$scratch/herald"
cp -R "$chart_src" "$chart"
rm -rf "$chart/charts"
"$python" - "$chart" <<'EOF'
import sys, pathlib, yaml
chart = pathlib.Path(sys.argv[1])
for dep in yaml.safe_load((chart / "Chart.yaml").read_text()).get("dependencies") or []:
    stub = chart / "charts" / dep["name"]
    stub.mkdir(parents=True)
    (stub / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {dep['name']}\nversion: {dep['version']}\n"
        "description: empty stand-in for an offline check\n")
EOF

failures=0
failed() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

echo "-- appVersion"
# The chart's appVersion is Herald's version, the workspace version of Cargo.toml.
cargo_version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
app_version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$chart_src/Chart.yaml")"
if [ -z "$cargo_version" ] || [ "$cargo_version" != "$app_version" ]; then
    failed "$chart_src/Chart.yaml appVersion '$app_version' is not Cargo.toml's workspace version '$cargo_version'"
fi

echo "-- yamllint"
yaml_config='{extends: default, rules: {line-length: {max: 120}, document-start: disable,
  truthy: {check-keys: false}, comments: {min-spaces-from-content: 1},
  braces: {max-spaces-inside: 1}, brackets: {max-spaces-inside: 1}}}'
if ! "$yamllint_bin" --strict -d "$yaml_config" "$chart_src/Chart.yaml" "$chart_src/values.yaml" \
    "$chart_src"/ci/*.yaml helm/tests/invalid/*.yaml; then
    failed "yamllint"
fi

shopt -s nullglob
ci_values=("$chart_src"/ci/*.yaml)
[ "${#ci_values[@]}" -ge 3 ] || fail "expected at least 3 values files in $chart_src/ci, found ${#ci_values[@]}"

for values in "${ci_values[@]}"; do
    name="$(basename "$values" .yaml)"
    echo "-- $name"
    if ! "$helm_bin" lint --strict "$chart" -f "$values" >"$scratch/lint.log" 2>&1; then
        cat "$scratch/lint.log" >&2
        failed "helm lint --strict -f $values"
        continue
    fi
    render="$scratch/$name.yaml"
    if ! "$helm_bin" template herald "$chart" -f "$values" --namespace herald \
        --kube-version "v$oldest_kube" >"$render" 2>"$scratch/template.log"; then
        cat "$scratch/template.log" >&2
        failed "helm template -f $values"
        continue
    fi
    if ! "$python" helm/tests/split_rendered.py "$render" "$scratch/$name"; then
        failed "$values: the render breaks a promise of the chart (above)"
    fi
    # kubernetes-validate only warns about a kind it has no schema for; here that is a failure,
    # since split_rendered.py already took out the custom resources checked below.
    if ! "$validate_bin" --strict --quiet -k "$oldest_kube" -k "$newest_kube" \
        "$scratch/$name/core.yaml" >"$scratch/validate.log" 2>&1 ||
        grep -q . "$scratch/validate.log"; then
        cat "$scratch/validate.log" >&2
        failed "kubernetes-validate --strict of the render of $values"
    fi
    if ! node helm/tests/validate_crds.mjs "$crd_modules" "$scratch/$name/crds.json"; then
        failed "custom resources in the render of $values"
    fi
done

echo "-- values that must be refused"
invalid=(helm/tests/invalid/*.yaml)
[ "${#invalid[@]}" -gt 0 ] || fail "no values files in helm/tests/invalid"
for values in "${invalid[@]}"; do
    expect="$(sed -n 's/^# expect: //p' "$values" | head -n 1)"
    [ -n "$expect" ] || { failed "$values has no '# expect: <message>' line"; continue; }
    if "$helm_bin" template herald "$chart" -f "$values" >/dev/null 2>"$scratch/refused.log"; then
        failed "$values was accepted by helm template; it must be refused ($expect)"
    elif ! grep -qF -- "$expect" "$scratch/refused.log"; then
        cat "$scratch/refused.log" >&2
        failed "$values was refused, but not for '$expect'"
    else
        echo "  refused as expected: $(basename "$values") ($expect)"
    fi
done

if [ "$failures" -gt 0 ]; then
    echo "30-helm: $failures failure(s)" >&2
    exit 1
fi
echo "30-helm: chart lint, renders, schema validation and refusals passed (helm $("$helm_bin" version --short))"
