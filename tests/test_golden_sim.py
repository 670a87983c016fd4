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
    ("400-bad-field-selector.json", "GET", None),
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


def test_the_scheduled_event_is_recorded_as_the_real_scheduler_records_it(sim):
    """The 1.36 scheduler records Scheduled through events.k8s.io, as it does
    FailedScheduling: read through core/v1 it has an eventTime, action Binding, the
    reporting component and instance, an empty source and no count or timestamps."""
    theirs = [r["object"] for r in real("tables/events.table-includeObject.json")["rows"]
              if r["object"]["reason"] == "Scheduled"]
    _, listed = raw(sim, "GET", "/api/v1/events")
    ours = [e for e in listed["items"] if e["reason"] == "Scheduled"]
    assert theirs and ours

    def shape(e: dict) -> dict:
        inv = e["involvedObject"]
        return {"keys": sorted(set(e) - {"kind", "apiVersion"}),  # (a list's items have none)
                "message": e["message"].replace(f"{inv['namespace']}/{inv['name']} to ", "P to ")
                .rsplit(" ", 1)[0],
                "null": sorted(k for k, v in e.items() if v is None),
                "eventTime": bool(e.get("eventTime")), "source": e.get("source"),
                "action": e.get("action"), "type": e["type"],
                "reporting": e.get("reportingComponent"),
                "instance": (e.get("reportingInstance") or "").startswith(
                    f"{e.get('reportingComponent')}-")}
    want = {json.dumps(shape(e), sort_keys=True) for e in theirs}
    assert len(want) == 1, want
    assert {json.dumps(shape(e), sort_keys=True) for e in ours} == want, shape(ours[0])


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


def _real_rows(name: str) -> list[dict]:
    return [r["object"] for r in real(f"tables/{name}.table-includeObject.json")["rows"]]


def test_managed_fields_are_kept_as_the_real_server_keeps_them(sim, kubectl):
    """One entry per manager (named from fieldManager or the user agent), its time and
    the fields it set: a ConfigMap's only record of when its data changed."""
    theirs, = [c for c in _real_rows("configmaps") if c["metadata"]["name"] == "shop-config"]
    kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\n"
            "metadata: {name: golden-fields}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: cfg, namespace: golden-fields}\ndata: {LOG_LEVEL: info}\n")
    kubectl("annotate", "-n", "golden-fields", "configmap", "cfg", "bump=1")
    mine = sim.get("ConfigMap", "golden-fields", "cfg")["metadata"]["managedFields"]
    shape = [(e["manager"], e["operation"], sorted(e)) for e in theirs["metadata"][
        "managedFields"]]
    assert [(e["manager"], e["operation"], sorted(e)) for e in mine] == shape
    assert "f:data" in mine[0]["fieldsV1"] and list(mine[1]["fieldsV1"]) == ["f:metadata"]
    kubectl("patch", "-n", "golden-fields", "configmap", "cfg", "-p", '{"data":{"A":"b"}}')
    patched = sim.get("ConfigMap", "golden-fields", "cfg")["metadata"]["managedFields"][-1]
    assert patched["manager"] == "kubectl-patch" and "f:A" in patched["fieldsV1"]["f:data"]
    pod = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("cart"))
    status = [e for e in pod["metadata"]["managedFields"] if e.get("subresource") == "status"]
    assert [e["manager"] for e in status] == ["kubelet"]


def test_a_namespace_held_by_a_finalizer_says_so_in_the_real_controllers_words(sim, kubectl):
    doomed, = [n for n in _real_rows("namespaces") if n["metadata"]["name"] == "doomed"]
    kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\n"
            "metadata: {name: golden-doomed}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: hold, namespace: golden-doomed, finalizers: "
            "[golden.example.com/hold]}\n")
    kubectl("delete", "namespace", "golden-doomed", "--wait=false")
    ns = wait_until(lambda: (sim.get("Namespace", None, "golden-doomed").get("status") or {})
                    .get("conditions") and sim.get("Namespace", None, "golden-doomed"))
    assert ns["status"]["phase"] == "Terminating"
    assert [{k: c[k] for k in ("type", "status", "reason", "message")}
            for c in ns["status"]["conditions"]] == [
        {k: c[k] for k in ("type", "status", "reason", "message")}
        for c in doomed["status"]["conditions"]]
    assert sim.get("ConfigMap", "golden-doomed", "hold")["metadata"]["deletionTimestamp"]


def test_the_demos_later_step_changes_a_config_and_deletes_a_namespace(sim):
    """What `kubetui kind-demo up` does after applying the demo, the sim does by itself."""
    wiki = wait_until(lambda: (c := sim.get("ConfigMap", "legacy", "wiki-config"))["data"][
        "DB_HOST"] == "orders-db-v2" and c)
    applied = [e for e in wiki["metadata"]["managedFields"] if "f:data" in e["fieldsV1"]]
    assert [e["manager"] for e in applied] == ["kubectl-client-side-apply"]
    assert applied[0]["time"] > wiki["metadata"]["creationTimestamp"]
    attic = sim.get("Namespace", None, "attic")
    assert attic["status"]["phase"] == "Terminating"


def test_the_version_is_the_real_servers():
    """The sim said v1.32.2 (and its kubelets a kube-proxy version 1.31+ kubelets no
    longer set) beside evidence from a v1.36.2 server: /version now has the real one's
    fields and version, and nodes the real nodeInfo's empty kubeProxyVersion."""
    from kubetui.sim.discovery import VERSION
    theirs = real("discovery/version.json")
    assert set(VERSION) == set(theirs)
    for key in ("major", "minor", "gitVersion", "emulationMinor", "minCompatibilityMinor"):
        assert VERSION[key] == theirs[key], key


def test_nodes_say_what_real_kubelets_say(sim):
    _, nodes = raw(sim, "GET", "/api/v1/nodes")
    theirs = real("scheduling/untolerated-taint.node-worker-1.json")["status"]["nodeInfo"]
    for node in nodes["items"]:
        info = node["status"]["nodeInfo"]
        assert set(info) == set(theirs)
        assert info["kubeletVersion"] == theirs["kubeletVersion"]
        assert info["kubeProxyVersion"] == theirs["kubeProxyVersion"] == ""


def test_generation_only_on_the_kinds_the_real_server_keeps_it_for(sim):
    """The sim stamped metadata.generation on every kind; the real server keeps none for
    ConfigMaps, Services, Leases, Nodes, Events ... and keeps one for pods, workloads and
    custom resources (every object captured in tests/fixtures/real-k8s, by kind)."""
    import glob

    from kubetui.sim.defaults import WITHOUT_GENERATION
    seen: dict[str, set[bool]] = {}

    def walk(o):
        if isinstance(o, dict):
            m = o.get("metadata")
            if o.get("kind") and isinstance(m, dict) and "uid" in m:
                seen.setdefault(o["kind"], set()).add("generation" in m)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    for path in glob.glob(str(REAL / "**" / "*.json"), recursive=True):
        try:
            walk(json.loads(Path(path).read_text()))
        except ValueError:
            continue
    real_without = {k for k, has in seen.items() if has == {False}}
    real_with = {k for k, has in seen.items() if has == {True}}
    assert real_without - {"PartialObjectMetadata"} <= WITHOUT_GENERATION
    assert not (real_with & WITHOUT_GENERATION)
    for kind, path, has in (("ConfigMap", "/api/v1/namespaces/shop/configmaps", False),
                            ("Service", "/api/v1/namespaces/shop/services", False),
                            ("Lease", "/apis/coordination.k8s.io/v1/namespaces/"
                                      "kube-node-lease/leases", False),
                            ("Deployment", "/apis/apps/v1/namespaces/shop/deployments", True),
                            ("Pod", "/api/v1/namespaces/shop/pods", True)):
        status, listed = raw(sim, "GET", path)
        assert status == 200 and listed["items"], kind
        assert all(("generation" in o["metadata"]) is has for o in listed["items"]), kind
