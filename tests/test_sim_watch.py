"""Watch semantics of the sim: what the real API server does, as the client sees it."""

import json
import threading
import time
import urllib.request

import pytest
from conftest import make_namespace, raw
from kubernetes import watch
from kubernetes.client import CoreV1Api
from kubernetes.client.exceptions import ApiException


def stream_events(sim, path: str, seconds: float = 5.0, stop_after: int | None = None):
    """Read a watch with plain HTTP: the list of (type, object) lines received."""
    events = []
    with urllib.request.urlopen(sim.url + path, timeout=seconds + 5) as resp:
        assert resp.status == 200
        for line in resp:
            events.append(json.loads(line))
            if stop_after and len(events) >= stop_after:
                break
    return [(e["type"], e["object"]) for e in events]


def test_watch_from_list_version_sees_later_changes_only(sim):
    ns = make_namespace(sim, "w-replay")
    _, listed = raw(sim, "GET", f"/api/v1/namespaces/{ns}/configmaps")
    rv = listed["metadata"]["resourceVersion"]
    sim.create("ConfigMap", ns, {"metadata": {"name": "after"}})
    sim.delete("ConfigMap", ns, "after")
    events = stream_events(sim, f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion="
                                f"{rv}&timeoutSeconds=1")
    names = [(t, o["metadata"]["name"]) for t, o in events]
    assert ("ADDED", "after") in names and ("DELETED", "after") in names
    assert ("ADDED", "kube-root-ca.crt") not in names  # created before the list's version
    versions = [int(o["metadata"]["resourceVersion"]) for _, o in events]
    assert versions == sorted(versions) and versions[0] > int(rv)


def test_watch_from_zero_starts_with_synthetic_added_for_what_exists(sim):
    # kube-system is quiet (shop's broken pods keep changing after the burst)
    events = stream_events(sim, "/api/v1/namespaces/kube-system/pods?watch=1&resourceVersion=0"
                                "&timeoutSeconds=1")
    assert events and all(t == "ADDED" for t, _ in events)
    listed = raw(sim, "GET", "/api/v1/namespaces/kube-system/pods")[1]["items"]
    assert {o["metadata"]["name"] for _, o in events} == {o["metadata"]["name"] for o in listed}
    assert len(events) == len(listed)


def test_too_old_version_answers_200_with_a_410_error_event(sim):
    _, listed = raw(sim, "GET", "/api/v1/configmaps")
    old = listed["metadata"]["resourceVersion"]
    sim.call(sim.store.expire)
    events = stream_events(sim, f"/api/v1/configmaps?watch=1&resourceVersion={old}")
    assert len(events) == 1
    etype, status = events[0]
    assert etype == "ERROR"
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith(f"too old resource version: {old} (")


def test_official_client_watch_raises_410_on_expired_version(sim, api):
    core = CoreV1Api(api)
    rv = core.list_namespaced_config_map("shop").metadata.resource_version
    sim.call(sim.store.expire)
    with pytest.raises(ApiException) as err:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, "shop",
                                      resource_version=rv, timeout_seconds=2):
            pass
    assert err.value.status == 410


def test_official_client_watch_receives_typed_events(sim, api):
    ns = make_namespace(sim, "w-client")
    core = CoreV1Api(api)
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    threading.Timer(0.3, lambda: sim.create("ConfigMap", ns, {"metadata": {"name": "typed"}})
                    ).start()
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, resource_version=rv,
                          timeout_seconds=5):
        if event["object"].metadata.name == "typed":
            assert event["type"] == "ADDED"
            w.stop()
            break
    else:
        pytest.fail("the ADDED event never came")


def test_bookmarks_carry_only_the_resource_version(sim):
    sim.http.bookmark_seconds = 0.3
    try:
        events = stream_events(sim, "/api/v1/namespaces/shop/configmaps?watch=1&"
                                    "resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=2")
    finally:
        sim.http.bookmark_seconds = 60.0
    marks = [o for t, o in events if t == "BOOKMARK"]
    assert marks
    assert marks[0]["kind"] == "ConfigMap" and marks[0]["apiVersion"] == "v1"
    assert set(marks[0]["metadata"]) == {"resourceVersion", "creationTimestamp"}


def test_send_initial_events_ends_with_annotated_bookmark(sim):
    events = stream_events(sim, "/api/v1/namespaces/shop/configmaps?watch=1&"
                                "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&"
                                "allowWatchBookmarks=true&timeoutSeconds=1")
    types = [t for t, _ in events]
    first_mark = types.index("BOOKMARK")
    assert set(types[:first_mark]) == {"ADDED"}
    assert events[first_mark][1]["metadata"]["annotations"] == {
        "k8s.io/initial-events-end": "true"}


def test_timeout_seconds_ends_the_stream(sim):
    start = time.monotonic()
    stream_events(sim, "/api/v1/namespaces/shop/pods?watch=1&resourceVersion=0&timeoutSeconds=1")
    assert time.monotonic() - start < 4  # it ended by itself, well before our own timeout


def test_label_selector_turns_relabels_into_added_and_deleted(sim):
    ns = make_namespace(sim, "w-labels")
    _, listed = raw(sim, "GET", f"/api/v1/namespaces/{ns}/configmaps")
    rv = listed["metadata"]["resourceVersion"]
    sim.create("ConfigMap", ns, {"metadata": {"name": "m", "labels": {"team": "a"}}})
    base = f"/api/v1/namespaces/{ns}/configmaps/m"
    raw(sim, "PATCH", base, {"metadata": {"labels": {"team": "b"}}},
        "application/merge-patch+json")
    raw(sim, "PATCH", base, {"metadata": {"labels": {"team": "a"}}},
        "application/merge-patch+json")
    events = stream_events(sim, f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion="
                                f"{rv}&labelSelector=team%3Da&timeoutSeconds=1")
    assert [t for t, _ in events] == ["ADDED", "DELETED", "ADDED"]


def test_dropped_watches_end_their_streams(sim):
    threading.Timer(0.3, lambda: sim.call(sim.store.drop_watches)).start()
    start = time.monotonic()
    stream_events(sim, "/api/v1/namespaces/shop/pods?watch=1&resourceVersion=0&"
                       "timeoutSeconds=20")
    assert time.monotonic() - start < 10
