"""metrics.k8s.io lists, decoded slim: the usage by row key, and a clear error for an
answer that is not a metrics list (never a crash in the reading thread)."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubetui.kube.metrics_read import Metrics, decode_metrics
from kubetui.render.metrics import pod_cells, usage

POD = {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
       "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"},
                    "creationTimestamp": "2026-11-30T10:00:00Z"},
       "timestamp": "2026-11-30T09:59:45Z", "window": "30.0s",
       "containers": [{"name": "app", "usage": {"cpu": "250000000n", "memory": "65536Ki"}},
                      {"name": "proxy", "usage": {"cpu": "5m", "memory": "16Mi"}}]}
NODE = {"kind": "NodeMetrics", "metadata": {"name": "node-a"}, "window": "20.0s",
        "usage": {"cpu": "1500m", "memory": "2Gi"}}


def test_pods_and_nodes_by_key_with_what_the_columns_read():
    found = decode_metrics(orjson.dumps({"kind": "PodMetricsList", "items": [
        POD, NODE, {"metadata": {"namespace": "x"}}]}))  # (a nameless one is skipped)
    assert set(found) == {"shop/api-1", "node-a"}
    assert "labels" not in found["shop/api-1"] and "window" not in found["node-a"]
    pod = {"spec": {"containers": [
        {"name": "app", "resources": {"requests": {"cpu": "500m"},
                                      "limits": {"memory": "256Mi"}}},
        {"name": "proxy", "resources": {"requests": {"cpu": "10m"},
                                        "limits": {"memory": "64Mi"}}}]}}
    assert pod_cells(pod, found["shop/api-1"]) == ("255m", "80Mi", "50%", "25%")


def test_a_decoded_reading_sums_itself_as_the_dict_it_came_from_would():
    """The structs sum their own usage (the fast path the usage cells take); the sums are
    the dict path's, a quantity that is not one counting 0 on both."""
    bad = {**POD, "containers": [*POD["containers"], {"name": "x", "usage": {"cpu": "lots"}}]}
    found = decode_metrics(orjson.dumps({"items": [bad, NODE]}))
    assert usage(found["shop/api-1"]) == usage(bad) == pytest.approx((0.255, 80 * 2**20))
    assert usage(found["node-a"]) == usage(NODE) == (1.5, 2 * 2**30)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"items": 5}',
                                  b'{"items": [{"metadata": "x"}]}'])
def test_an_answer_that_is_not_a_metrics_list_is_a_value_error(body):
    with pytest.raises(ValueError, match="metrics list"):
        decode_metrics(body)


@given(st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["items", "metadata", "name",
                                                       "namespace", "containers",
                                                       "usage", "cpu"]), inner,
                                      max_size=4), max_leaves=30))
def test_any_json_decodes_or_says_it_is_not_a_list(doc):
    try:
        found = decode_metrics(orjson.dumps(doc))
    except ValueError:
        return
    assert all(isinstance(k, str) and isinstance(v, Metrics) for k, v in found.items())
    for reading in found.values():  # and each sums itself without a crash
        cpu, mem = usage(reading)
        assert isinstance(cpu, float) and isinstance(mem, float)


class CountingClient:
    """A client whose every metrics read answers one more millicore a pod, counting the
    reads and how many were in flight at once."""

    def __init__(self) -> None:
        import threading
        self.calls, self.busy, self.most = 0, 0, 0
        self.lock, self.go = threading.Lock(), threading.Event()
        self.go.set()

    def request(self, method, path, timeout=None):
        with self.lock:
            self.calls += 1
            self.busy += 1
            self.most = max(self.most, self.busy)
            n = self.calls
        self.go.wait(10)
        with self.lock:
            self.busy -= 1
        pod = {**POD, "containers": [{"name": "app", "usage": {"cpu": f"{n}m",
                                                                "memory": "1Mi"}}]}
        return orjson.dumps({"items": [pod]})


def test_the_lint_takes_the_usage_columns_read_of_every_pod_and_follows_the_next():
    """At 100,000 pods the usage columns and the lint each kept a read of every pod's
    usage (50 MB each): the lint now takes the columns' recent read, and what it holds
    is always the latest read, not a second copy."""
    from kubetui.kube.metrics_read import pod_reads

    client = CountingClient()
    reads = pod_reads(client)
    assert pod_reads(client) is reads  # one per cluster client
    columns = reads.read(client, max_age=0)
    assert reads.read(client, max_age=20) is columns and client.calls == 1  # the lint's
    held = reads.view()
    assert usage(held["shop/api-1"])[0] == pytest.approx(0.001)
    reads.read(client, max_age=0)  # the columns' next read, 15 s on
    assert client.calls == 2 and usage(held.get("shop/api-1"))[0] == pytest.approx(0.002)
    assert list(held) == ["shop/api-1"] and len(held) == 1


def test_reads_of_every_pod_are_one_at_a_time():
    """Two lists of 43 MB of JSON in flight at once (the columns' and the lint's) made
    the 100,000-pod peak; a second reader waits for the first and takes its read."""
    import threading

    from kubetui.kube.metrics_read import pod_reads

    client = CountingClient()
    client.go.clear()
    reads = pod_reads(client)
    got: list = []
    first = threading.Thread(target=lambda: got.append(reads.read(client, max_age=0)))
    first.start()
    while client.calls == 0:  # (the first read is in flight)
        threading.Event().wait(0.001)
    second = threading.Thread(target=lambda: got.append(reads.read(client, max_age=20)))
    second.start()

    def waiting_in_read() -> bool:  # the second reader is inside PodReads.read
        import sys
        frame = sys._current_frames().get(second.ident or 0)
        while frame is not None:
            if frame.f_code.co_name == "read" and frame.f_code.co_filename.endswith(
                    "metrics_read.py"):
                return True
            frame = frame.f_back
        return False
    while not (client.calls > 1 or waiting_in_read()):  # (in, or a second read began)
        threading.Event().wait(0.001)
    client.go.set()
    first.join(10)
    second.join(10)
    assert client.most == 1 and client.calls == 1 and got[0] is got[1]


@pytest.mark.parametrize("body, note", [
    (None, None),  # the usage of every pod, read the way the live app reads it
    (b'{"items": 7}', "could not read pod metrics (a metrics list that is not one"),
])
def test_kubetui_lint_reads_usage_as_the_app_does_and_says_when_it_could_not(body, note):
    """`kubetui lint` read usage with a second decoder of its own (whole dicts, a crash
    on an item without metadata); it now takes the app's, and a list that is not one is
    a note that memory near limits went unseen, not a traceback."""
    from kubetui.diagnose.lint import lint
    from kubetui.kube.lint_source import fetch

    client = CountingClient()
    if body is not None:
        client.request = lambda method, path, timeout=None: body
    src = fetch(client, None, set())
    if note is None:
        assert src.notes == [] and usage(src.metrics["shop/api-1"])[0] == pytest.approx(0.001)
        pod = {"kind": "Pod", "metadata": {"namespace": "shop", "name": "api-1"},
               "spec": {"containers": [{"name": "app", "resources": {
                   "limits": {"memory": "1Mi"}}}]}}
        found = lint({"Pod": [pod]}, metrics=src.metrics)
        assert any(f.rule == "tight-memory-limit" and "uses 100%" in f.message
                   for f in found)
    else:
        assert src.metrics is None and len(src.notes) == 1
        assert src.notes[0].startswith(note) and "goes unseen" in src.notes[0]


def test_a_read_updates_the_last_in_place_and_drops_the_pods_that_are_gone():
    """A new read of every pod beside the last one, then the last one freed, left the
    heap with both (at 100,000 pods 60 MB more RSS, a peak 105 MB higher): a read now
    replaces each pod's usage in the last read's dict, adds the new pods and drops the
    ones no longer listed. A failed read keeps the last one as it was (the usage columns
    still hold it: dropped, the next read decoded a whole second one beside it), no
    longer fresh, and the next read goes into it again."""
    from kubetui.kube.metrics_read import pod_reads

    def pod(name, cpu):
        return {**POD, "metadata": {"name": name, "namespace": "shop"},
                "containers": [{"name": "app", "usage": {"cpu": cpu, "memory": "1Mi"}}]}

    answers = [[pod("api-1", "1m"), pod("api-2", "2m")],
               [pod("api-2", "20m"), pod("api-3", "30m")], 7,
               [pod("api-3", "33m")]]
    client = CountingClient()
    client.request = lambda method, path, timeout=None: orjson.dumps(
        {"items": answers.pop(0)})
    reads = pod_reads(client)
    first = reads.read(client, max_age=0)
    assert sorted(first) == ["shop/api-1", "shop/api-2"]
    second = reads.read(client, max_age=0)
    assert second is first  # the same dict, updated
    assert sorted(second) == ["shop/api-2", "shop/api-3"]  # api-1 gone, api-3 new
    assert usage(second["shop/api-2"])[0] == pytest.approx(0.020)
    with pytest.raises(ValueError, match="metrics list"):
        reads.read(client, max_age=0)
    assert reads.latest is second and sorted(reads.view()) == ["shop/api-2", "shop/api-3"]
    assert usage(reads.view()["shop/api-3"])[0] == pytest.approx(0.030)  # as it was
    third = reads.read(client, max_age=3600)  # not fresh since the failure: read again
    assert answers == [] and third is second  # into the same dict, not a new one
    assert sorted(third) == ["shop/api-3"]
    assert usage(third["shop/api-3"])[0] == pytest.approx(0.033)


def test_a_closed_session_lets_go_of_its_last_read_at_once():
    """A context switch left the old session's last read of every pod (100,000 blocks at
    10,000 pods) on its client's shared reads until a collection found the client: in
    the soak, beside the new session's first read."""
    import sys

    from kubetui.kube.metrics_read import forget_reads, pod_reads

    client = CountingClient()
    reads = pod_reads(client)
    found = reads.read(client, max_age=0)
    held = sys.getrefcount(found)
    forget_reads(client)
    assert reads.latest is None and dict(reads.view()) == {}
    assert sys.getrefcount(found) == held - 1 == 2  # nothing but this test holds it:
    # freed by reference counting once the session lets go, not by a collection later
    assert pod_reads(client) is not reads  # a new session starts with none


def test_the_usage_cells_cache_lets_replaced_pods_containers_go():
    """The cache of each workload's summed requests and limits (kept per containers
    list) held every list until 20,000 were seen: under churn the lists of pods long
    replaced stayed alive, and a 20-minute soak's memory crept 30 MB. Lists no pod
    holds now go within two generations, while one in use stays cached."""
    import gc
    import weakref

    from kubetui.render.metrics import percent, pod_cells

    class Container(dict):  # (a dict that can be weakly referenced)
        pass

    def pod(i):
        return {"metadata": {"namespace": "shop", "name": f"api-{i}"}, "spec": {
            "containers": [Container(name="app", resources={
                "requests": {"cpu": f"{i + 1}m"}, "limits": {"memory": "64Mi"}})]}}

    kept = pod(0)
    reading = {"containers": [{"name": "app", "usage": {"cpu": "1m", "memory": "1Mi"}}]}
    gone = []
    for i in range(1, 5_001):  # pods replaced by new ones, each with its own list
        p = pod(i)
        assert pod_cells(p, reading)[2] == percent(0.001, (i + 1) / 1000)  # %CPU/R
        if i <= 100:
            gone.append(weakref.ref(p["spec"]["containers"][0]))
        pod_cells(kept, reading)  # a pod in view, drawn again and again
    gc.collect()
    assert all(r() is None for r in gone)
    assert pod_cells(kept, reading)[2] == "100%"


def test_a_pod_that_sets_its_own_resources_is_measured_against_them():
    """PodLevelResources: %CPU/R and %MEM/L of a pod whose spec.resources sets them are
    of the pod's own, which the slim cache keeps; its containers set none here."""
    from kubetui.kube.slim import decode_list
    found = decode_metrics(orjson.dumps({"kind": "PodMetricsList", "items": [POD]}))
    pods, _ = decode_list("Pod", orjson.dumps({"kind": "PodList", "items": [{
        "metadata": {"name": "api-1", "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "image": "a"}, {"name": "proxy",
                                                                 "image": "p"}],
                 "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "320Mi"}}},
    }]}))
    assert pods[0]["spec"]["resources"] == {"requests": {"cpu": "1"},
                                            "limits": {"memory": "320Mi"}}
    assert pod_cells(pods[0], found["shop/api-1"]) == ("255m", "80Mi", "26%", "25%")
    del pods[0]["spec"]["resources"]  # the containers' (none set): no meaningful %
    assert pod_cells(pods[0], found["shop/api-1"])[2:] == ("n/a", "n/a")
