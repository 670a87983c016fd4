"""Shared helpers of the Pilot tests: driving the browser (a command, a filter, the rows
shown, one row selected), the sim objects they need, and a stand-in editor. What the app
says is heard by the `notes` fixture (conftest)."""

from __future__ import annotations

from conftest import wait_for


async def command(pilot, text: str) -> None:
    await pilot.press("colon")
    await pilot.press(*text)
    await pilot.press("enter")


async def filter_by(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press("enter")


def names(app) -> list[str]:
    browser = getattr(app, "_browser", None)
    if browser is None or not browser.ready:
        return []
    return [k.rsplit("/", 1)[-1] for k in browser.table.keys()]


async def select(pilot, app, kind: str, pattern: str) -> None:
    """Show `kind` filtered by `pattern`, and wait until exactly one row is left."""
    await show(pilot, app, kind, pattern, 1)


async def show(pilot, app, kind: str, pattern: str, count: int) -> None:
    """`:kind`, then `/pattern`, until `count` rows show."""
    await command(pilot, kind)
    await filter_by(pilot, pattern)
    assert await wait_for(pilot, lambda: len(names(app)) == count), names(app)


def bare_pod(name: str, image: str = "nginx:1.27", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {
        "app": name}}, "spec": {"containers": [{"name": "main", "image": image}], **spec}}


def running(sim, ns: str, name: str) -> bool:
    pod = sim.get("Pod", ns, name)
    return pod is not None and (pod.get("status") or {}).get("phase") == "Running"


def two_node_cluster():
    """A cluster of its own (a drain moves pods about): nodes `node-a` and `node-b`, a
    DaemonSet on both, and a Deployment `web` of 3 replicas all on node-a (node-b was
    cordoned while they were scheduled) with a PDB `web` of minAvailable 2."""
    from conftest import FAST, deployment, wait_until

    from kubetui.sim import SimCluster

    sim = SimCluster(None, speed=FAST).start()
    for name in ("node-a", "node-b"):
        sim.create("Node", None, {"apiVersion": "v1", "kind": "Node",
                                  "metadata": {"name": name}})
    wait_until(lambda: all((sim.get("Node", None, n).get("status") or {}).get("conditions")
                           for n in ("node-a", "node-b")), timeout=20)
    set_unschedulable(sim, "node-b", True)
    sim.create("DaemonSet", "default", {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
            "metadata": {"labels": {"app": "agent"}},
            "spec": {"containers": [{"name": "agent", "image": "busybox:1.36"}]}}}})
    sim.create("Deployment", "default", deployment("web", replicas=3))
    sim.create("PodDisruptionBudget", "default", {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}})
    wait_until(lambda: len(ready_pods(sim, "web", "node-a")) == 3, timeout=30)
    set_unschedulable(sim, "node-b", False)
    wait_until(lambda: len(ready_pods(sim, "agent")) == 2, timeout=30)
    return sim


def set_unschedulable(sim, node: str, value: bool) -> None:
    def apply():
        from kubetui.sim.resources import BY_KIND
        obj = sim.store.get(BY_KIND["Node"], None, node)
        obj = {**obj, "spec": {**(obj.get("spec") or {}), "unschedulable": value}}
        sim.api.update(BY_KIND["Node"], None, node, obj)
    sim.call(apply)


def ready_pods(sim, app: str, node: str | None = None) -> list[dict]:
    return [p for p in sim.list("Pod", "default")
            if (p["metadata"].get("labels") or {}).get("app") == app
            and not p["metadata"].get("deletionTimestamp")
            and (node is None or p["spec"].get("nodeName") == node)
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in (p.get("status") or {}).get("conditions") or ())]


EDITOR_SCRIPT = '''
import json, os, sys, urllib.request
path, state = sys.argv[1], os.environ["EDITOR_STATE"]
with open(state) as fh:
    plan = json.load(fh)
n = plan["calls"]
plan["calls"] = n + 1
text = open(path).read()
plan["seen"].append(text)
with open(state, "w") as fh:
    json.dump(plan, fh)

def merge_patch(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PATCH",
                                 headers={"Content-Type": "application/merge-patch+json"})
    urllib.request.urlopen(req).read()

exec(plan["steps"][min(n, len(plan["steps"]) - 1)])
open(path, "w").write(text)
'''


class FakeEditor:
    """A KUBE_EDITOR that runs `steps[i]` (Python acting on `text`, the file's content)
    at its i-th call, and keeps what it was given each time (`seen`)."""

    def __init__(self, tmp_path, monkeypatch, steps: list[str]):
        import json
        import sys
        self.state = tmp_path / "editor-state.json"
        self.state.write_text(json.dumps({"calls": 0, "seen": [], "steps": steps}))
        script = tmp_path / "editor.py"
        script.write_text(EDITOR_SCRIPT)
        monkeypatch.setenv("KUBE_EDITOR", f"{sys.executable} {script}")
        monkeypatch.setenv("EDITOR_STATE", str(self.state))

    @property
    def seen(self) -> list[str]:
        import json
        return json.loads(self.state.read_text())["seen"]


async def help_rows(pilot, app) -> dict[str, str]:
    """The help screen's rows of the view in force, what -> keys (then closed)."""
    from kubetui.ui.screens.help import HelpScreen
    await pilot.press("question_mark")
    assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    rows = {what: keys for keys, what in app.screen.rows}
    await pilot.press("escape")
    return rows


def output(app) -> str:
    """What the one-shot exec screen printed."""
    log = app.screen.query_one("#exec-output")
    return "\n".join(line.text for line in log.lines)


def server_state(sim) -> dict[str, str]:
    """Every pod the sim has, key -> resourceVersion."""
    return {f"{p['metadata']['namespace']}/{p['metadata']['name']}":
            p["metadata"]["resourceVersion"] for p in sim.list("Pod")}


def client_state(group) -> dict[str, str]:
    """Every pod an informer group caches, key -> resourceVersion."""
    _, items = group.store.snapshot()
    return {k: o["metadata"]["resourceVersion"] for k, o in items.items()}


async def poll_metrics(pilot, app, times: int = 3) -> None:
    """Read metrics.k8s.io `times` times (what the 15 s timer does), each read to its
    end before the next."""
    from conftest import wait_for

    def polled() -> bool:
        return not any(w.group == "metrics" and not w.is_finished
                       for w in app.browser.workers)
    for _ in range(times):
        app.browser.poll_metrics()
        assert await wait_for(pilot, polled)
