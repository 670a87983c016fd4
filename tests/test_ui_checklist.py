"""The debugging checklist on every problem of the demo scenario: `c` on the pod, the
named cause and the verdicts of the steps; `c` on a workload picks its troubled pod; the
node debug pod is created and removed."""

from __future__ import annotations

import pytest
from conftest import wait_for, wait_until
from helpers import select

from kubetui.diagnose import diagnose
from kubetui.ui.screens.checklist import ChecklistScreen
from kubetui.ui.screens.modals import ConfirmScreen

# problem label -> (the rule that must name the cause, expected verdicts by step number)
CASES = {
    # (not the rollout step: between two crashes the deployment may read available)
    "crashloop": ("crashloop", {2: "problem", 6: "ok"}),
    "oom": ("oom", {1: "problem", 6: "ok"}),
    "image-pull": ("image-pull", {1: "problem", 5: "unknown", 6: "ok"}),
    "unschedulable": ("unschedulable", {1: "problem", 5: "unknown", 6: "unknown"}),
    "unbound-pvc": ("unbound-pvc", {1: "problem", 5: "unknown", 6: "unknown"}),
    "config-error": ("config-error", {1: "problem", 5: "unknown"}),
    "readiness": ("readiness", {1: "problem", 4: "problem", 5: "ok", 7: "ok"}),
    "liveness": ("liveness", {1: "problem", 6: "ok"}),
}


def problem_pod(sim, label: str) -> dict:
    return next(p for p in sim.list("Pod") if (p["metadata"].get("labels") or {}).get(
        "demo.kubetui.dev/problem") == label and not p["metadata"].get("deletionTimestamp"))


def events_of(sim, pod: dict) -> list[dict]:
    return [e for e in sim.list("Event", pod["metadata"]["namespace"])
            if e["involvedObject"].get("uid") == pod["metadata"]["uid"]]


@pytest.mark.parametrize("label", list(CASES))
async def test_the_checklist_names_the_cause_of_each_demo_problem(make_app, sim, label):
    rule, verdicts = CASES[label]

    def shows_its_problem() -> bool:  # the sim has run long enough for the evidence
        pod = problem_pod(sim, label)
        found = diagnose(pod, events_of(sim, pod), previous_logs=[])
        return bool(found) and found[0].rule == rule

    wait_until(shows_its_problem, timeout=60)
    name = problem_pod(sim, label)["metadata"]["name"]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{name}$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        checklist = app.screen.checklist
        assert checklist.cause is not None and checklist.cause.rule == rule, \
            [f.cause for f in checklist.findings]
        got = {s.number: s.verdict for s in checklist.steps}
        assert {n: got[n] for n in verdicts} == verdicts, [
            (s.number, s.verdict, s.summary) for s in checklist.steps]
        title = str(app.screen.query_one("#step-1").border_title)
        assert "describe" in title and checklist.steps[0].verdict in title


async def test_c_on_a_deployment_opens_the_checklist_of_its_troubled_pod(make_app, sim):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^fraud-check$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        assert app.screen.pod_name.startswith("fraud-check-")
        assert app.screen.checklist.cause.rule == "image-pull"
        assert app.screen.evidence.owner == "Deployment payments/fraud-check"


async def test_node_debug_pod_is_created_on_the_node_and_removed(make_app, kubectl, sim,
                                                                 notes):
    # a headless test app cannot hand its terminal over: that step says so, and the pod
    # is still created on the node and removed
    notes.expect("^cannot hand the terminal to the debug shell: App.suspend is not supported")
    pod = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("redis-"))
    node = pod["spec"]["nodeName"]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod['metadata']['name']}$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        assert app.screen.checklist.steps[5].verdict == "ok"
        await pilot.press("n")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")

        messages = notes.messages
        assert await wait_for(pilot, lambda: any(m.startswith("debug pod node-debugger-")
                                                 and m.endswith(f"runs on {node}")
                                                 for m in messages()), tries=600), messages()
        assert await wait_for(pilot, lambda: any(m.endswith("removed") for m in messages()),
                              tries=600), messages()
    created = [e for e in sim.list("Event") if e["involvedObject"].get("name", "").startswith(
        f"node-debugger-{node}") and e["reason"] == "Started"]
    assert created and created[0]["source"].get("host", node) == node  # it ran there
    wait_until(lambda: kubectl("get", "pods", "-A", "-l", "kubetui.dev/node-debug",
                               "-o", "name").stdout.strip() == "", timeout=30)


async def test_read_only_refuses_the_node_debug_pod(make_app, sim, notes):
    pod = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("redis-"))
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod['metadata']['name']}$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None, tries=400)
        await pilot.press("n")
        assert await wait_for(pilot, lambda: notes.said("read-only mode"))
        assert not isinstance(app.screen, ConfirmScreen)


def test_without_metrics_server_the_top_step_says_so(sim, kubeconfig, monkeypatch):
    from kubetui.diagnose import build
    from kubetui.kube.client import ApiError, KubeClient
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.evidence import gather

    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    real = client.get_json

    def no_metrics(path, query=None, timeout=30):  # a cluster without metrics-server
        if path.startswith("/apis/metrics.k8s.io"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return real(path, query, timeout)

    monkeypatch.setattr(client, "get_json", no_metrics)
    pod = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("redis-"))
    checklist = build(gather(client, "shop", pod["metadata"]["name"]))
    top = checklist.steps[6]
    assert top.verdict == "unknown"
    assert "metrics-server is not installed" in top.summary
    client.close()
