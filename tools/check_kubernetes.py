#!/usr/bin/env python3
"""Checks deploy/kubernetes/ without a cluster: every file parses as YAML, kustomization.yaml
lists them all, and the StatefulSet keeps what the operator contract asks for: one replica, a
persistent volume for the data, the tokens from a Secret as files (not environment), probes on
/healthz and /readyz, a read-only root file system and a non-root user.

    python3 tools/check_kubernetes.py [deploy/kubernetes]
"""
import pathlib
import sys

import yaml

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "deploy/kubernetes")
problems = []


def need(condition, what):
    if not condition:
        problems.append(what)


docs = {}
for path in sorted(folder.glob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        need(isinstance(doc, dict) and "kind" in doc, f"{path.name}: a document without a kind")
        if isinstance(doc, dict):
            docs.setdefault(doc.get("kind"), []).append((path.name, doc))

kustomization = docs.get("Kustomization", [(None, {})])[0][1]
listed = set(kustomization.get("resources", []))
for path in folder.glob("*.yaml"):
    if path.name != "kustomization.yaml":
        need(path.name in listed, f"kustomization.yaml does not list {path.name}")

sets = docs.get("StatefulSet", [])
need(len(sets) == 1, "exactly one StatefulSet")
if sets:
    spec = sets[0][1]["spec"]
    need(spec.get("replicas") == 1, "the StatefulSet runs one replica")
    pod = spec["template"]["spec"]
    security = pod.get("securityContext", {})
    need(security.get("runAsNonRoot") is True, "the pod runs as non-root")
    need(security.get("runAsUser", 0) != 0, "the pod's user is not root")
    containers = pod.get("containers", [])
    need(len(containers) == 1, "one container")
    c = containers[0] if containers else {}
    need(c.get("securityContext", {}).get("readOnlyRootFilesystem") is True,
         "the root file system is read-only")
    need(c.get("securityContext", {}).get("allowPrivilegeEscalation") is False,
         "no privilege escalation")
    env = {e["name"]: e for e in c.get("env", [])}
    for token in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"):
        need(token not in env, f"{token} is not in the environment")
        need(token + "_FILE" in env, f"{token}_FILE names the mounted Secret's file")
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    secret_volumes = [n for n, v in volumes.items() if "secret" in v]
    need(len(secret_volumes) == 1, "the tokens come from one Secret volume")
    for name in secret_volumes:
        mode = volumes[name]["secret"].get("defaultMode", 0o644)
        need(mode & 0o004 == 0, "the token files are not readable by every user")
        need(name in mounts and mounts[name].get("readOnly") is True, "the Secret is mounted read-only")
        for token in ("SLACK_APP_TOKEN_FILE", "SLACK_BOT_TOKEN_FILE"):
            value = env.get(token, {}).get("value", "")
            need(name in mounts and value.startswith(mounts[name]["mountPath"] + "/"),
                 f"{token} points into the Secret's mount")
    claims = [t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])]
    need(len(claims) == 1, "one PersistentVolumeClaim template for the data")
    data_dir = env.get("ITPM_DATA_DIR", {}).get("value", "")
    need(any(m in mounts and data_dir.startswith(mounts[m]["mountPath"] + "/") for m in claims),
         "ITPM_DATA_DIR is on the persistent volume")
    need(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz",
         "the liveness probe asks /healthz")
    need(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz",
         "the readiness probe asks /readyz")
    need(env.get("ITPM_HTTP_LISTEN", {}).get("value", "").startswith("0.0.0.0:"),
         "the health listener is reachable by the kubelet")

if problems:
    for p in problems:
        print(f"check_kubernetes: {p}", file=sys.stderr)
    sys.exit(1)
print(f"check_kubernetes: {sum(len(v) for v in docs.values())} documents in {folder} pass")
