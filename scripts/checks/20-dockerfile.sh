#!/usr/bin/env bash
# Checks deploy/Dockerfile offline: hadolint (with .hadolint.yaml) for Dockerfile practice, then
# the properties Herald's image promises, which no linter knows: several stages, a release build
# of herald, a shell-less non-root runtime whose entrypoint is the binary in exec form, OCI
# labels, both ports and their 0.0.0.0 addresses, pinned base images, target/ kept out of the
# build context. Building the image needs a Docker engine: `make image`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

hadolint="$(bash scripts/tools/hadolint.sh)"
echo "hadolint $("$hadolint" --version | awk '{print $NF}') deploy/Dockerfile"
"$hadolint" --config .hadolint.yaml deploy/Dockerfile

python3 - deploy/Dockerfile .dockerignore <<'PY'
import json, re, shlex, sys

dockerfile, dockerignore = sys.argv[1], sys.argv[2]
errors = []

# Instructions as (KEYWORD, arguments), continuation lines joined, comments dropped.
instructions, pending = [], ""
for raw in open(dockerfile, encoding="utf-8"):
    line = raw.rstrip("\n")
    if not pending and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if pending and line.lstrip().startswith("#"):
        continue
    if line.rstrip().endswith("\\"):
        pending += line.rstrip()[:-1] + " "
        continue
    full = (pending + line).strip()
    pending = ""
    keyword, _, args = full.partition(" ")
    instructions.append((keyword.upper(), args.strip()))

stages = []
for keyword, args in instructions:
    if keyword == "FROM":
        stages.append({"from": args, "items": []})
    elif stages:
        stages[-1]["items"].append((keyword, args))
if len(stages) < 2:
    errors.append("not multi-stage: a build stage and a runtime stage are expected")

stage_names = set()
for stage in stages:
    parts = stage["from"].split()
    image = next(p for p in parts if not p.startswith("--"))
    if len(parts) >= 3 and parts[-2].upper() == "AS":
        stage_names.add(parts[-1])
    if image in stage_names:
        continue
    if "$" in image:
        errors.append(f"FROM {image}: name the base image literally so that it is checked")
        continue
    name = image.split("@")[0]
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else None
    if tag is None and "@" not in image:
        errors.append(f"FROM {image}: no tag; pin a version")
    if tag == "latest":
        errors.append(f"FROM {image}: 'latest' moves; pin a version")

builder_runs = " ".join(a for s in stages[:-1] for k, a in s["items"] if k == "RUN")
if not re.search(r"cargo build\b(?=.*--release)(?=.*-p herald\b)(?=.*--locked)", builder_runs):
    errors.append("no `cargo build --release -p herald --locked` in a build stage")

final = stages[-1]["items"] if stages else []
def last(keyword):
    found = [a for k, a in final if k == keyword]
    return found[-1] if found else None

if not stages or "distroless" not in stages[-1]["from"]:
    errors.append("the runtime stage is not distroless (no shell at run time is promised)")
for keyword, args in final:
    if keyword == "RUN":
        errors.append(f"RUN in the runtime stage needs a shell there: {args[:60]}")
    if keyword == "HEALTHCHECK" and not args.upper().startswith("NONE"):
        errors.append("HEALTHCHECK in a shell-less image: probe the admin port from outside")

user = last("USER")
if user is None:
    errors.append("the runtime stage sets no USER")
else:
    uid = user.split(":")[0]
    if uid in ("root", "0") or not uid.isdigit():
        errors.append(f"USER {user}: use a numeric non-root uid (runAsNonRoot checks numbers)")

def exec_form(keyword):
    value = last(keyword)
    if value is None:
        errors.append(f"no {keyword} in the runtime stage")
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not (isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)):
        errors.append(f"{keyword} {value}: use the exec form, a JSON array (no shell to run it)")
        return None
    return parsed

entrypoint = exec_form("ENTRYPOINT")
if entrypoint is not None and (len(entrypoint) != 1 or not entrypoint[0].endswith("/herald")):
    errors.append(f"ENTRYPOINT {entrypoint}: expected the herald binary alone")
cmd = exec_form("CMD")
if cmd is not None and cmd[:1] != ["serve"]:
    errors.append(f"CMD {cmd}: expected serve as the default command")

def pairs(keyword):
    out = {}
    for k, args in final:
        if k == keyword:
            for token in shlex.split(args):
                if "=" in token:
                    key, _, value = token.partition("=")
                    out[key] = value
    return out

labels = pairs("LABEL")
for key in ("title", "description", "source", "licenses", "version", "revision"):
    if f"org.opencontainers.image.{key}" not in labels:
        errors.append(f"missing label org.opencontainers.image.{key}")
env = pairs("ENV")
for key, want in (("HERALD_API_ADDR", "0.0.0.0:8080"), ("HERALD_ADMIN_ADDR", "0.0.0.0:8081")):
    if env.get(key) != want:
        errors.append(f"ENV {key}={env.get(key)}: expected {want}")
exposed = {p.split("/")[0] for k, a in final if k == "EXPOSE" for p in a.split()}
for port in ("8080", "8081"):
    if port not in exposed:
        errors.append(f"port {port} is not EXPOSEd")

ignored = [l.strip() for l in open(dockerignore, encoding="utf-8") if l.strip() and not l.startswith("#")]
if "*" not in ignored and not any(l.strip("/").endswith("target") for l in ignored):
    errors.append(".dockerignore keeps target/ in the build context")

# What the build reads outside crates/: path dependencies and patches of Cargo.toml, and the
# folders crates embed (rust-embed) or watch (build.rs). Each must be copied into the build
# stage and let through .dockerignore, or the image fails to build while every test passes.
import glob, os
read = {"Cargo.toml", "Cargo.lock"}
read |= {os.path.normpath(m) for m in re.findall(r'path\s*=\s*"([^"]+)"', open("Cargo.toml").read())}
for source in glob.glob("crates/*/build.rs") + glob.glob("crates/*/src/**/*.rs", recursive=True):
    crate = source.split("/")[1]
    text = open(source, encoding="utf-8").read()
    for rel in re.findall(r'\$CARGO_MANIFEST_DIR/([^"]+)"', text) + re.findall(r'rerun-if-changed=([^"]+)"', text):
        read.add(os.path.normpath(os.path.join("crates", crate, rel)))
copied = [shlex.split(a)[:-1] for s in stages[:-1] for k, a in s["items"] if k == "COPY" and "--from" not in a]
copied = {os.path.normpath(src) for srcs in copied for src in srcs}
allowed = {l[1:].strip("/") for l in ignored if l.startswith("!")}
for path in sorted(read):
    if path.startswith("crates/") and not path.startswith("crates/.."):
        continue
    under = lambda roots: any(path == r or path.startswith(r + "/") for r in roots)
    if not under(copied):
        errors.append(f"the build reads {path}, which no COPY of the build stage brings in")
    if "*" in ignored and not under(allowed):
        errors.append(f"the build reads {path}, which .dockerignore leaves out of the context")

if errors:
    for e in errors:
        print(f"20-dockerfile: {dockerfile}: {e}", file=sys.stderr)
    sys.exit(1)
print(f"20-dockerfile: {dockerfile}: {len(stages)} stages, runtime {stages[-1]['from']}, "
      f"USER {user}, ENTRYPOINT {entrypoint}, CMD {cmd}")
PY
