#!/usr/bin/env bash
# The chart's PrometheusRule carries a copy of deploy/prometheus/alerts.yml (a chart can only
# read files inside itself): the copy must be the file promtool checks and tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if ! cmp -s deploy/prometheus/alerts.yml helm/herald/files/alerts.yml; then
    echo "helm/herald/files/alerts.yml differs from deploy/prometheus/alerts.yml;" \
        "copy it: cp deploy/prometheus/alerts.yml helm/herald/files/alerts.yml" >&2
    exit 1
fi
echo "31-helm-alerts: the chart's alert rules are deploy/prometheus/alerts.yml"
