"""Splits a `helm template` render for validation and checks what the chart promises.

Usage: split_rendered.py RENDER.yaml OUT_DIR

Writes OUT_DIR/core.yaml (every document of a built-in Kubernetes kind, for
kubernetes-validate) and OUT_DIR/crds.json (the custom resources, for validate_crds.mjs:
kubernetes-validate has no schema for them and would only warn). Then checks the promises that
no schema can: hardened pods, probes on the admin port, no fixed replicas under an autoscaler,
and a migration hook that reads nothing the release creates after it.
"""

import json
import sys
from pathlib import Path

import yaml

# Custom resources the chart may render, each checked by validate_crds.mjs.
CUSTOM_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("keda.sh/v1alpha1", "ScaledObject"),
}

problems = []


def problem(doc, text):
    problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {text}")


def check_pod(doc, spec):
    pod = spec["template"]["spec"]
    if pod.get("automountServiceAccountToken") is not False:
        problem(doc, "automountServiceAccountToken must be false")
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        problem(doc, "pod securityContext.runAsNonRoot must be true")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problem(doc, "pod seccompProfile must be RuntimeDefault")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(doc, f"container {c['name']}: readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(doc, f"container {c['name']}: allowPrivilegeEscalation must be false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            problem(doc, f"container {c['name']}: capabilities must drop ALL")
        if c["image"].endswith(":") or ":@" in c["image"]:
            problem(doc, f"container {c['name']}: image {c['image']} has an empty tag")


def check_deployment(doc):
    spec = doc["spec"]
    check_pod(doc, spec)
    container = spec["template"]["spec"]["containers"][0]
    args = container.get("args", [])
    if args[:2] != ["serve", "--target"] or len(args) != 3:
        problem(doc, f"args must be serve --target <target>, not {args}")
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if ports.get("admin") != 8081:
        problem(doc, "must expose the admin port 8081")
    if (args[2:] == ["api"]) != (ports.get("http") == 8080):
        problem(doc, "the API port 8080 belongs to the api target, and only to it")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                        ("readinessProbe", "/readyz")):
        get = container.get(probe, {}).get("httpGet", {})
        if get.get("path") != path or get.get("port") != "admin":
            problem(doc, f"{probe} must be GET {path} on the admin port")


def check_hooks(docs):
    """A pre-install hook runs before the release's own objects exist: it may read only hook
    objects made before it, or objects the release does not create (an existingSecret)."""
    plain = {(d["kind"], d["metadata"]["name"]) for d in docs
             if "helm.sh/hook" not in d["metadata"].get("annotations", {})}
    hooks = {(d["kind"], d["metadata"]["name"]): d for d in docs
             if "helm.sh/hook" in d["metadata"].get("annotations", {})}
    for job in (d for d in docs if d["kind"] == "Job"):
        notes = job["metadata"].get("annotations", {})
        events = notes.get("helm.sh/hook", "")
        if "pre-install" not in events:
            continue
        weight = int(notes.get("helm.sh/hook-weight", "0"))
        pod = job["spec"]["template"]["spec"]
        refs = []
        for c in pod["containers"]:
            for src in c.get("envFrom", []):
                for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                    if key in src:
                        refs.append((kind, src[key]["name"]))
            for env in c.get("env", []):
                ref = env.get("valueFrom", {})
                for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                    if key in ref:
                        refs.append((kind, ref[key]["name"]))
        if pod.get("serviceAccountName"):
            refs.append(("ServiceAccount", pod["serviceAccountName"]))
        for ref in refs:
            if ref in plain:
                problem(job, f"pre-install hook reads {ref[0]} {ref[1]}, created only after it")
            hook = hooks.get(ref)
            if hook is not None:
                hook_notes = hook["metadata"]["annotations"]
                if int(hook_notes.get("helm.sh/hook-weight", "0")) >= weight:
                    problem(job, f"{ref[0]} {ref[1]} must be a hook of lower weight")
                if "pre-install" not in hook_notes["helm.sh/hook"]:
                    problem(job, f"{ref[0]} {ref[1]} must be a pre-install hook too")


def main():
    render, out = Path(sys.argv[1]), Path(sys.argv[2])
    docs = [d for d in yaml.safe_load_all(render.read_text()) if d]
    core, custom, seen = [], [], set()
    for doc in docs:
        if not all(k in doc for k in ("apiVersion", "kind", "metadata")):
            problems.append(f"a document lacks apiVersion, kind or metadata: {str(doc)[:80]}")
            continue
        key = (doc["kind"], doc["metadata"]["name"])
        if key in seen:
            problem(doc, "rendered twice")
        seen.add(key)
        (custom if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS else core).append(doc)
        if doc["kind"] == "Deployment":
            check_deployment(doc)
        elif doc["kind"] == "Job":
            check_pod(doc, doc["spec"])

    scaled = {d["spec"]["scaleTargetRef"]["name"] for d in docs
              if d["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")}
    for doc in docs:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] in scaled \
                and "replicas" in doc["spec"]:
            problem(doc, "is autoscaled, so it must leave spec.replicas to the autoscaler")
    check_hooks(docs)

    out.mkdir(parents=True, exist_ok=True)
    (out / "core.yaml").write_text(yaml.safe_dump_all(core, sort_keys=False))
    (out / "crds.json").write_text(json.dumps(custom))
    kinds = sorted({d["kind"] for d in docs})
    print(f"  {len(docs)} documents ({', '.join(kinds)}); {len(custom)} custom resource(s)")
    if problems:
        for text in problems:
            print(f"  chart promise broken: {text}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
