"""Property tests (hypothesis) over every pure entry point that takes server data: no
input, however malformed, raises; a malformed object still gets a row that says so.
The objects are drawn in the API's shape (the field names kubetui reads) with any values
in them, wrong types included, and as any JSON at all."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubetui.diagnose import Evidence, build, diagnose, scheduling
from kubetui.diagnose import timeline as tl
from kubetui.kube.slim import Malformed, decode_event, decode_list
from kubetui.render import architecture, xray
from kubetui.render.describe import describe
from kubetui.render.printers import TABLES
from kubetui.render.views import view

FIELDS = ["metadata", "spec", "status", "name", "namespace", "uid", "labels", "annotations",
          "ownerReferences", "creationTimestamp", "deletionTimestamp", "containers",
          "initContainers", "containerStatuses", "initContainerStatuses", "state",
          "lastState", "waiting", "running", "terminated", "reason", "message", "exitCode",
          "restartCount", "ready", "image", "phase", "conditions", "type", "nodeName",
          "replicas", "readyReplicas", "selector", "matchLabels", "template", "volumes",
          "persistentVolumeClaim", "claimName", "env", "envFrom", "valueFrom", "taints",
          "tolerations", "resources", "requests", "limits", "cpu", "memory", "ports",
          "count", "series", "lastTimestamp", "eventTime", "involvedObject", "kind",
          "allocatable", "capacity", "addresses", "data", "items", "rows", "cells"]
scalars = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(
    allow_nan=True) | st.text(max_size=40) | st.sampled_from(
    ["", "2026-11-30T10:00:00Z", "not a time", "100m", "1Gi", "True", "False", "Pod"]))
shaped = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=6), max_leaves=40)
objects = st.dictionaries(st.sampled_from(FIELDS), shaped, max_size=8)
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                        st.dictionaries(st.text(max_size=8), inner, max_size=4),
                        max_leaves=25)
fast = settings(max_examples=100, deadline=None, derandomize=True,  # same cases each run
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@fast
@given(anything)
def test_the_slim_decoder_takes_any_json(value):
    line = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY) if not isinstance(
        value, float) or value == value else b"1"
    for kind in ("Pod", "Deployment", "Event"):
        try:
            decode_event(kind, line)
        except (Malformed, ValueError):
            pass  # refused with a message (the informer backs off and says why)
        try:
            decode_list(kind, line)
        except (Malformed, ValueError):
            pass


@fast
@given(objects)
def test_every_printer_gives_a_row_for_any_object(obj):
    for kind in TABLES:
        cells, health = view(kind).rows_fn(True, True)(obj, 1_800_000_000.0)
        assert isinstance(cells, tuple) and health in ("ok", "pending", "error", "done")


@fast
@given(objects, st.lists(objects, max_size=3))
def test_describe_and_the_diagnosis_take_any_object(obj, events):
    for kind in ("Pod", "Deployment", "Node", "Service", "Secret"):
        describe({**obj, "kind": kind}, events, now=1_800_000_000.0)
    diagnose(obj, events)
    build(Evidence(obj, events, events))
    scheduling.parse(str(obj.get("message", "")))


@fast
@given(st.lists(objects, max_size=4), st.lists(objects, max_size=6))
def test_the_architecture_xray_and_timeline_models_take_any_objects(nodes, pods):
    architecture.build(nodes, pods, "[+]ping ok\n[-]etcd failed", [], now=1_800_000_000.0)
    xray.tree("Deployment", {"Deployment": nodes, "ReplicaSet": pods, "Pod": pods})
    tl.build(nodes[0] if nodes else None, pods, pods, pods, nodes, pods)


def test_a_malformed_object_gets_a_row_that_says_so():
    pod = {"metadata": {"name": "api-1", "namespace": "shop"},
           "status": {"initContainerStatuses": 1}}  # a number where a list belongs
    cells, health = view("Pod").rows_fn(True, False)(pod, 1_800_000_000.0)
    assert cells[:2] == ("shop", "api-1") and health == "error"
    assert cells[2].startswith("malformed object (TypeError")


def test_describe_says_an_object_it_cannot_read_is_malformed():
    text = describe({"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": 5}}, [])
    assert text.startswith("kubetui cannot describe this object, it is malformed")
    assert '"name": "s"' in text
