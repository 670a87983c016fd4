"""A pod's RESTARTS says how long ago its container last restarted ("3 (40s ago)", as
kubectl prints it); the browser's AGE column ticks while the table is shown, and
RESTARTS stood still beside it (a row is formatted once, when its object changes):
"2 (10s ago)" for as long as the pod did not restart again."""

from __future__ import annotations

import time

from conftest import make_namespace, raw, wait_for
from helpers import select

from kubetui.render.pod import pod_row
from kubetui.render.rows import LazyRows


def restarted_pod(finished: float) -> dict:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(finished))
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "flaky", "namespace": "default",
                     "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"containers": [{"name": "app", "image": "app"}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "app", "ready": True, "restartCount": 3, "image": "app", "imageID": "",
            "state": {"running": {"startedAt": stamp}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                         "finishedAt": stamp}}}]},
    }


def test_a_row_that_counts_from_a_restart_reads_anew_as_time_passes():
    now = [1_800_000_040.0]
    rows = LazyRows(lambda obj, at: pod_row(obj, at), clock=lambda: now[0])
    rows.objs["default/flaky"] = restarted_pod(1_800_000_000.0)
    restarts = rows["default/flaky"][0].index("3 (40s ago)")
    now[0] += 1
    assert rows.refresh_since(["default/flaky"], restarts)  # it reads differently
    assert rows["default/flaky"][0][restarts] == "3 (41s ago)"
    assert not rows.refresh_since(["default/flaky"], restarts)  # (the same second)


async def test_the_restarts_of_a_pod_on_screen_tick_like_its_age(make_app, sim, notes):
    ns = make_namespace(sim, "restarts-tick")
    pod = restarted_pod(time.time() - 30)
    pod["metadata"] = {"name": "flaky", "namespace": ns}
    status = pod.pop("status")
    sim.create("Pod", ns, pod)
    # once the sim's kubelet has started it (and leaves it be), it restarted 30 s ago
    sim.wait_for(lambda: sim.get("Pod", ns, "flaky")["status"]["phase"] == "Running")
    code, _ = raw(sim, "PATCH", f"/api/v1/namespaces/{ns}/pods/flaky/status",
                  {"status": status}, "application/merge-patch+json")
    assert code == 200
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        browser = app.browser
        assert await wait_for(pilot, lambda: browser.ready and browser.table.row_count > 5)
        await select(pilot, app, "pods", "^flaky")
        key = browser.table.keys()[0]
        column = browser.table.columns.index("RESTARTS")

        def restarts() -> str:
            return browser.table.row(key)[0][column]

        assert await wait_for(pilot, lambda: restarts().startswith("3 (")), restarts()
        first, version = restarts(), sim.get("Pod", ns, "flaky")["metadata"][
            "resourceVersion"]
        assert await wait_for(pilot, lambda: restarts() != first), first
        # nothing changed but the time: the pod is the one that was shown
        assert sim.get("Pod", ns, "flaky")["metadata"]["resourceVersion"] == version
        assert restarts().startswith("3 (") and restarts().endswith("s ago)"), restarts()
    assert notes.errors() == []
