"""Slim records must render exactly as the full objects do: every pod fixture, decoded
the way the informer decodes it, gives the same row; odd objects are not lost."""

import json
from pathlib import Path

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
    assert len(orjson.dumps(slim)) < len(orjson.dumps(pod)) / 2


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
