"""Slim records must render exactly as the full objects do: every pod fixture, decoded
the way the informer decodes it, gives the same row; odd objects are not lost."""

import json
from pathlib import Path

import msgspec
import orjson
import pytest

from kubetui.kube.slim import decode_event, decode_list
from kubetui.render.age import parse_time
from kubetui.render.pod import pod_row
from kubetui.sim.bulk import bulk_pod

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "pods.json").read_text())
NOW = parse_time(FIXTURES["now"])
PODS = [c["pod"] for c in FIXTURES["cases"]]


@pytest.mark.parametrize("pod", PODS, ids=[c["name"] for c in FIXTURES["cases"]])
def test_slim_pods_render_like_full_ones(pod):
    full = {**pod, "metadata": {**pod["metadata"], "managedFields": [{"manager": "x"}]}}
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [full]}))
    assert pod_row(items[0], NOW) == pod_row(pod, NOW)
    etype, obj = decode_event("Pod", orjson.dumps({"type": "MODIFIED", "object": full}))
    assert etype == "MODIFIED" and pod_row(obj, NOW) == pod_row(pod, NOW)


def test_slim_drops_what_no_view_reads():
    pod = bulk_pod(1, "node-a", "2026-11-26T07:00:00Z")
    pod["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [pod]}))
    slim = items[0]
    assert "managedFields" not in slim["metadata"]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in slim["metadata"][
        "annotations"]
    assert "env" not in slim["spec"]["containers"][0]
    assert len(msgspec.json.encode(slim)) < len(orjson.dumps(pod)) / 2  # (structs within)


def test_a_malformed_pod_is_decoded_the_slow_way_not_lost():
    odd = {"metadata": {"name": "odd", "namespace": "x", "labels": {"n": 5}},
           "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": {}}
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [odd]}))
    assert items[0]["metadata"]["labels"] == {"n": 5}
    etype, obj = decode_event("Pod", orjson.dumps({"type": "ADDED", "object": odd}))
    assert etype == "ADDED" and obj["metadata"]["name"] == "odd"


def test_error_events_keep_their_status():
    etype, obj = decode_event("Pod", orjson.dumps({"type": "ERROR", "object": {
        "kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}}))
    assert etype == "ERROR" and obj["code"] == 410


def _tracked_bytes(build):
    import tracemalloc
    tracemalloc.start()
    try:
        kept = build()
        return kept, tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_pods_of_one_workload_share_their_maps_and_each_pod_costs_little():
    """Memory a user notices at 100k pods: the pods of one ReplicaSet repeat labels,
    containers and conditions; the cache keeps one copy. A pod's own running state
    (its start time) is kept as it is, not as a shared-map key: each such key had cost
    4 KiB (orjson's buffer), 9 KiB a pod in all. The status is dict-faced structs, not
    dicts (kube/pod_status.py)."""
    pods = [bulk_pod(i * 97, "node-a", "2026-11-26T07:00:00Z") for i in range(1, 201)]
    for i, p in enumerate(pods):  # distinct start times, as on a real cluster
        for cs in p["status"]["containerStatuses"]:
            cs["state"] = {"running": {"startedAt": f"2026-11-20T{i // 60:02d}:{i % 60:02d}:00Z"}}
    raw = orjson.dumps({"metadata": {}, "items": pods})
    items, size = _tracked_bytes(lambda: decode_list("Pod", raw)[0])
    assert len({id(p["metadata"]["labels"]) for p in items}) == 1
    assert len({id(p["spec"]["containers"]) for p in items}) <= 7  # one per image tag
    assert len({id(p["status"]["conditions"]) for p in items}) == 1
    # (2,496 bytes while the status, its container statuses and their states were dicts)
    assert size / len(items) < 2048, f"{size / len(items):.0f} bytes a pod"
    for p, full in zip(items, pods, strict=True):  # nothing a view reads is lost
        assert pod_row(p, NOW) == pod_row(full, NOW)
        assert [cs["state"] for cs in p["status"]["containerStatuses"]] == [
            cs["state"] for cs in full["status"]["containerStatuses"]]


def test_containers_that_started_together_share_one_state_and_keep_their_own_else():
    """A pod's containers mostly start in the same second: one copy of the running
    state for them (368 B a container at 100,000 pods). A container started at another
    time keeps its own, and the decoded states read as the server sent them."""
    pod = bulk_pod(7, "node-a", "2026-11-26T07:00:00Z")
    statuses = pod["status"]["containerStatuses"]
    assert len(statuses) >= 2
    together = {"running": {"startedAt": "2026-11-26T07:00:03Z"}}
    for cs in statuses:
        cs["state"] = dict(together)
    late = {**pod, "metadata": {**pod["metadata"], "name": "late"},
            "status": {**pod["status"], "containerStatuses": [
                {**statuses[0], "state": together},
                {**statuses[1], "state": {"running": {"startedAt": "2026-11-26T07:05:00Z"}}}]}}
    items, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": [pod, late]}))
    same, apart = ([cs["state"] for cs in p["status"]["containerStatuses"]] for p in items)
    assert same[0] is same[1] and same == [cs["state"] for cs in statuses]
    assert apart[0] is not apart[1] and apart[1] == {
        "running": {"startedAt": "2026-11-26T07:05:00Z"}}
    assert pod_row(items[1], NOW) == pod_row(late, NOW)


def test_a_relist_decodes_only_the_pods_that_moved():
    """After a dropped watch the list mostly repeats the cache: those pods are read for
    their name and resourceVersion only; the rest decode as a list would decode them."""
    from kubetui.kube.slim import Malformed, decode_pod_relist

    pods = [bulk_pod(i, "node-a", "2026-11-26T07:00:00Z") for i in range(6)]
    for i, p in enumerate(pods):
        p["metadata"]["resourceVersion"] = str(100 + i)
    cached, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": pods}))
    by_key = {f"{p['metadata']['namespace']}/{p['metadata']['name']}": p for p in cached}
    asked = []

    def held(key, rv):
        asked.append(key)
        return by_key[key]["metadata"]["resourceVersion"] == rv

    pods[2]["metadata"]["resourceVersion"] = "200"
    pods[2]["status"]["phase"] = "Failed"
    odd = {"metadata": {"name": "odd", "namespace": "x", "resourceVersion": "1",
                        "labels": {"n": 5}}, "spec": {}, "status": {}}
    page = orjson.dumps({"metadata": {"continue": "c2"}, "items": [*pods, odd]})
    changed, meta, kept = decode_pod_relist(page, lambda k, rv: k in by_key and held(k, rv))
    assert meta == {"continue": "c2"}
    assert len(kept) == 5 and set(kept) | {"bulk/" + pods[2]["metadata"]["name"]} == set(by_key)
    assert [c["metadata"]["name"] for c in changed] == [pods[2]["metadata"]["name"], "odd"]
    assert changed[0] == decode_list("Pod", orjson.dumps({"items": [pods[2]]}))[0][0]
    assert changed[1]["metadata"]["labels"] == {"n": 5}  # the slow way, not lost
    assert len(asked) == 6
    with pytest.raises(Malformed):
        decode_pod_relist(b"[1, 2]", held)


def test_churned_annotations_do_not_grow_the_shared_tables_for_good():
    """A pod update whose annotations changed (a controller's stamp) made one more entry
    in the shared-map and string tables, kept until a cap of 50,000 cleared them: under
    the soak's churn they grew for 40 minutes. Seen-once values now go after two
    generations, and what a workload's pods repeat is still one copy."""
    from kubetui.kube import slim

    pods = [bulk_pod(i * 97, "node-a", "2026-11-26T07:00:00Z") for i in range(1, 41)]
    first, _ = decode_list("Pod", orjson.dumps({"metadata": {}, "items": pods}))
    generations = slim._SHARED.generation
    for n in range(3 * generations):  # every update a new stamp
        pod = pods[n % len(pods)]
        pod["metadata"]["annotations"] = {"kubetui.dev/stamp": f"{n}"}
        decode_event("Pod", orjson.dumps({"type": "MODIFIED", "object": pod}))
    assert slim._SHARED.turns >= 2
    assert len(slim._SHARED) <= 2 * generations  # bounded, whatever the churn
    assert len(slim._STRINGS) <= 2 * slim._STRINGS.generation
    # a workload's labels, used all along, are still the one copy its pods had
    _, again = decode_event("Pod", orjson.dumps({"type": "MODIFIED", "object": pods[0]}))
    assert again["metadata"]["labels"] is first[0]["metadata"]["labels"]


def test_shared_maps_and_strings_moved_to_the_newer_generation_keep_small_keys():
    """A map or string found in the older generation moves to the newer one: it had
    moved under the lookup's key, orjson's bytes with 4 KiB of capacity (a soak's first
    minutes: 4,600 such keys, 18 MB), or a freshly decoded copy of the string."""
    from kubetui.kube import slim

    slim._SHARED.clear()
    maps = [{"requests": {"cpu": f"{i}m", "memory": "64Mi"}} for i in range(500)]
    kept = [slim._share(dict(m)) for m in maps]
    for i in range(slim._SHARED.generation):  # a generation turns: they are older now
        slim._share({"n": i})
    assert all(k in slim._SHARED.older.values() for k in kept[:3])

    def promote():
        return [slim._share(dict(m)) for m in maps]
    again, size = _tracked_bytes(promote)
    assert all(a is k for a, k in zip(again, kept, strict=True))  # still the one copy
    assert size / len(maps) < 1024, f"{size / len(maps):.0f} bytes a map moved"

    slim._STRINGS.clear()
    first = slim._intern("".join(["node-", "a"]))
    for i in range(slim._STRINGS.generation):
        slim._intern(f"stamp-{i}")
    fresh = "".join(["node-", "a"])
    assert fresh is not first and slim._intern(fresh) is first
    assert next(k for k in slim._STRINGS.newer if k == first) is first  # not `fresh`


def test_one_copy_keeps_what_is_used_and_forgets_what_was_seen_once():
    from kubetui.render.one_copy import OneCopy

    table: OneCopy[str, str] = OneCopy(4)
    kept = table.setdefault("labels", "labels")
    for i in range(20):
        table.setdefault(f"stamp-{i}", f"stamp-{i}")
        assert table.setdefault("labels", "another copy") is kept  # used: it stays
        assert len(table) <= 8
    assert table.get("stamp-0") is None  # seen once, long ago: gone
