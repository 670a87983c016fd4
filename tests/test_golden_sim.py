"""The sim against the real server (tests/fixtures/real-k8s/, a v1.36.2 API server): the
same requests get answers of the same shape. Where the sim differs on purpose, the test
says why."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import raw, wait_until

REAL = Path(__file__).parent / "fixtures" / "real-k8s"

# Served by the real server, not by the sim: kinds neither kubetui nor the demo uses
# (bindings is a create-only shortcut of pods/binding; limit ranges, resource quotas and
# pod templates are not simulated; replication controllers are stored, not run), and
# pods' attach / portforward / proxy / resize subresources (no container runs in the sim).
NOT_SIMULATED = {"bindings", "limitranges", "podtemplates",
                 "resourcequotas", "resourcequotas/status", "pods/attach",
                 "pods/portforward", "pods/proxy", "pods/resize"}


def real(path: str):
    return json.loads((REAL / path).read_text())


@pytest.mark.parametrize("path,file", [("/api/v1", "api-v1.json"),
                                       ("/apis/apps/v1", "apis-apps-v1.json"),
                                       ("/apis/batch/v1", "apis-batch-v1.json")])
def test_discovery_entries_match_the_real_servers(sim, path, file):
    status, mine = raw(sim, "GET", path)
    assert status == 200
    theirs = {r["name"]: r for r in real(f"discovery/{file}")["resources"]}
    ours = {r["name"]: r for r in mine["resources"]}
    assert set(ours) <= set(theirs), set(ours) - set(theirs)
    assert set(theirs) - set(ours) <= NOT_SIMULATED
    for name in ours:
        for key in ("kind", "namespaced", "shortNames", "group", "version"):
            assert ours[name].get(key) == theirs[name].get(key), (name, key)
        assert sorted(ours[name]["verbs"]) == sorted(theirs[name]["verbs"]), name


ERRORS = [  # the real capture, and the same request made to the sim's demo
    ("404-get-missing-pod.json", "GET", None),
    ("404-get-missing-namespace-pod.json", "GET", None),
    ("404-unknown-resource.json", "GET", None),
    ("400-bad-label-selector.json", "GET", None),
    ("409-already-exists-pod.json", "POST", "pod"),
]


@pytest.mark.parametrize("file,method,body", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_status_bodies_match_the_real_servers(sim, file, method, body):
    golden = real(f"errors/{file}")
    path = golden["request"]["path"]
    payload = None
    if body == "pod":  # the same object posted twice: the second is refused
        name = golden["body"]["details"]["name"]
        path = "/api/v1/namespaces/shop/pods"
        payload = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                   "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
        raw(sim, "POST", path, payload)
    status, mine = raw(sim, method, path, payload)
    theirs = golden["body"]
    assert status == golden["status"] == theirs["code"]
    assert mine == theirs, (mine, theirs)  # names chosen to be the same as the capture's


def test_the_schedulers_message_is_worded_as_136_words_it(sim):
    """The demo's reconciler asks for 64 CPUs on three nodes, one of them a tainted
    control plane: the real scheduler's words for such a pod, with other counts."""
    def message():
        pod = next((p for p in sim.list("Pod", "payments")
                    if p["metadata"]["name"].startswith("reconciler-")), None)
        cond = next((c for c in ((pod or {}).get("status") or {}).get("conditions") or ()
                     if c["type"] == "PodScheduled"), {})
        return cond.get("message", "")
    ours = wait_until(message)
    theirs = {e["message"] for e in real("scheduling/payments-bigjob-16cpu.events.json")[
        "core_v1"]["items"] if "Insufficient cpu, " in e["message"]}
    assert len(theirs) == 1

    def shape(text: str) -> str:
        return re.sub(r"\d+", "N", text)
    assert shape(ours) == shape(theirs.pop()), ours


def test_rollout_conditions_read_as_the_real_controllers_write_them(sim, kubectl):
    """A settled deployment, and one stuck past its progress deadline."""
    settled = real("rollout/deploy-web/02-created-settled.deployment.json")
    def shapes(deploy):
        return {c["type"]: (c["status"], c["reason"], re.sub(r'"[^"]+"', '"X"', c["message"]))
                for c in deploy["status"]["conditions"]}
    wait_until(lambda: shapes(sim.get("Deployment", "shop", "frontend")) == shapes(settled))
    status = kubectl("rollout", "status", "-n", "shop", "deploy/frontend").stdout.strip()
    golden = (REAL / "rollout/deploy-web/02-created-settled.rollout-status.txt").read_text()
    said = golden.split("# --- stdout ---\n", 1)[1].split("# --- stderr ---", 1)[0].strip()
    assert status == said.replace('"web"', '"frontend"')
