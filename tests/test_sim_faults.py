"""Faults on demand, seen by plain HTTP and the official Python client: each one does what
a real API server in trouble does, and the sim comes back with the same state."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from conftest import FAST, wait_until
from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException
from kubernetes.config.kube_config import new_client_from_config

from kubetui.sim import SimCluster


@pytest.fixture()
def sim(tmp_path):
    cluster = SimCluster("demo", speed=FAST).start()
    cluster.kc = cluster.write_kubeconfig(str(tmp_path / "config"))
    yield cluster
    cluster.stop()


def get(sim, path: str, token: str | None = None, timeout: float = 5):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(sim.url + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def test_errors_then_recovery(sim):
    sim.faults.errors(2, 500)
    assert get(sim, "/api/v1/pods")[0] == 500
    status, _, body = get(sim, "/api/v1/pods")
    assert status == 500 and body["reason"] == "InternalError"
    assert get(sim, "/api/v1/pods")[0] == 200
    assert get(sim, "/version")[0] == 200  # kubectl's probe is spared


def test_too_many_requests_carries_retry_after(sim):
    sim.faults.errors(1, 429, retry_after=3)
    status, headers, body = get(sim, "/api/v1/namespaces")
    assert status == 429 and headers["Retry-After"] == "3"
    assert body["details"]["retryAfterSeconds"] == 3


def test_drop_ends_every_watch(sim):
    core = CoreV1Api(new_client_from_config(sim.kc, persist_config=False))
    resp = core.list_pod_for_all_namespaces(watch=True, _preload_content=False,
                                            timeout_seconds=60)
    wait_until(lambda: sim.store.watchers)  # the server holds the watch open
    started = time.monotonic()
    sim.faults.drop_watches()
    for _ in resp.stream(65536):
        pass  # drains, then ends when the server cuts the stream
    assert time.monotonic() - started < 10


def test_expire_makes_the_next_watch_410(sim):
    _, _, listed = get(sim, "/api/v1/pods")
    sim.faults.expire()
    core = CoreV1Api(new_client_from_config(sim.kc, persist_config=False))
    from kubernetes import watch
    with pytest.raises(ApiException) as info:
        for _ in watch.Watch().stream(core.list_pod_for_all_namespaces, timeout_seconds=2,
                                      resource_version=listed["metadata"]["resourceVersion"]):
            pass
    assert info.value.status == 410


def test_stall_holds_requests(sim):
    sim.faults.stall(1.0)
    started = time.monotonic()
    assert get(sim, "/api/v1/namespaces")[0] == 200
    assert time.monotonic() - started >= 0.9


def test_down_refuses_connections_then_comes_back_with_the_same_state(sim):
    _, _, before = get(sim, "/api/v1/pods")
    sim.faults.down(1.0)
    with pytest.raises(urllib.error.URLError) as info:
        get(sim, "/api/v1/pods")
    assert "refused" in str(info.value.reason).lower()

    def back():
        try:
            return get(sim, "/api/v1/pods")
        except urllib.error.URLError:
            return None
    status, _, after = wait_until(back, timeout=20)
    assert status == 200
    assert {p["metadata"]["uid"] for p in after["items"]} >= \
        {p["metadata"]["uid"] for p in before["items"]}


def test_rotated_token_is_401_until_the_client_reloads(sim):
    api = new_client_from_config(sim.kc, persist_config=False)
    core = CoreV1Api(api)
    core.list_namespace()
    sim.faults.rotate_token()
    with pytest.raises(ApiException) as info:
        core.list_namespace()
    assert info.value.status == 401
    fresh = CoreV1Api(new_client_from_config(sim.kc, persist_config=False))  # reloads file
    assert fresh.list_namespace().items


def test_fault_specs_from_the_command_line(sim):
    sim.faults.apply_spec("503:1")
    assert get(sim, "/api/v1/pods")[0] == 503
    with pytest.raises(ValueError, match="unknown fault"):
        sim.faults.apply_spec("explode")


def test_a_fault_schedule_says_how_often_and_when_first():
    """`kubetui sim --fault KIND@EVERY+FIRST`: the soak fires every fault once in its
    first minute (FIRST), then at its own period (EVERY); a bad number is named."""
    from kubetui.sim.faults import parse_schedule

    assert parse_schedule("drop") == ("drop", None, 10.0)  # once, 10 s after start
    assert parse_schedule("drop@47") == ("drop", 47.0, 47.0)
    assert parse_schedule("429:3:1@131+25") == ("429:3:1", 131.0, 25.0)
    with pytest.raises(ValueError, match=r"\+FIRST 'soon' is not a number of seconds"):
        parse_schedule("drop@47+soon")
    with pytest.raises(ValueError, match=r"@EVERY must be positive"):
        parse_schedule("drop@0+5")
