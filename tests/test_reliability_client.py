"""Credentials reloaded (after a 401) while other threads use the client: requests in
flight finish on the ApiClient they started on, which is closed only once none uses it;
a wave of 401s from many threads reloads once."""

from __future__ import annotations

import threading
import urllib.request

import orjson
import pytest
from conftest import FAST, wait_until

from kubetui.kube import client as client_module
from kubetui.kube.client import KubeClient
from kubetui.kube.config import load_kubeconfig
from kubetui.sim import SimCluster


@pytest.fixture(scope="module")
def sim():
    cluster = SimCluster(None, speed=FAST).start()
    yield cluster
    cluster.stop()


@pytest.fixture()
def client(sim, tmp_path):
    c = KubeClient.connect(load_kubeconfig([sim.write_kubeconfig(str(tmp_path / "config"))]))
    yield c
    c.close()


def spy_close(api) -> list[str]:
    calls: list[str] = []
    close = api.close

    def spy():
        calls.append(threading.current_thread().name)
        close()

    api.close = spy
    return calls


def test_a_reload_keeps_the_old_client_open_until_its_streams_end(client):
    old = client.api
    closed = spy_close(old)
    stream = client.stream("/api/v1/namespaces", {"watch": "1", "timeoutSeconds": "30"})
    client.reload()
    assert client.api is not old and client.reloads == 1
    assert closed == []  # the watch still reads through it
    assert client.get_json("/api/v1/namespaces")["items"]  # the new one works
    lines = stream.lines()
    assert b'"ADDED"' in next(lines)  # and so does the old one, for the watch on it
    stream.close()
    assert len(closed) == 1  # closed once its last user is done
    stream.close()  # closing twice releases once
    assert len(closed) == 1


def test_a_reload_with_no_request_in_flight_closes_the_old_client_at_once(client):
    old = client.api
    closed = spy_close(old)
    client.reload()
    assert len(closed) == 1


def test_requests_in_flight_on_other_threads_survive_reloads(client):
    failures: list[BaseException] = []
    done = threading.Event()
    counts = [0] * 6

    def hammer(i: int) -> None:
        while not done.is_set():
            try:
                client.get_json("/api/v1/namespaces")
                counts[i] += 1
            except BaseException as exc:  # noqa: BLE001 - any failure at all is the test's failure
                failures.append(exc)
                return

    threads = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(6)]
    for t in threads:
        t.start()
    try:
        for _ in range(25):
            client.reload()
            before = list(counts)
            wait_until(lambda before=before: all(
                c > b for c, b in zip(counts, before, strict=True)) or failures)
    finally:
        done.set()
        for t in threads:
            t.join(10)
    assert failures == []


def test_a_wave_of_401s_reloads_once(sim, client):
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        try:
            client.get_json("/api/v1/namespaces")
        except BaseException as exc:  # noqa: BLE001 - thread body: the test reports it
            failures.append(exc)

    client.get_json("/api/v1/namespaces")
    sim.faults.rotate_token()  # every request with the old token now answers 401
    threads = [threading.Thread(target=ask, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert failures == []
    assert client.reloads == 1


def test_a_read_that_times_out_is_asked_once_not_four_times(tmp_path):
    """urllib3 retries a read three times by default, which made a silent server's
    5-second timeout 20 s (the fleet's row said "did not answer" that late). A timed-out
    read is now reported after one try, as kubectl does; the server saw one connection."""
    import socket

    import urllib3
    import yaml
    silent = socket.socket()  # accepts connections (into its backlog), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "s", "cluster": {
            "server": f"http://127.0.0.1:{silent.getsockname()[1]}"}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "s", "context": {"cluster": "s", "user": "u"}}],
        "current-context": "s"}))
    client = KubeClient.connect(load_kubeconfig([str(path)]))
    try:
        with pytest.raises(urllib3.exceptions.ReadTimeoutError):
            client.request("GET", "/version", timeout=(2, 0.3))
        silent.setblocking(False)
        accepted = []
        while True:
            try:
                accepted.append(silent.accept()[0])
            except BlockingIOError:
                break
        assert len(accepted) == 1
        for conn in accepted:
            conn.close()
    finally:
        client.close()
        silent.close()


def test_a_long_answer_comes_chunked_as_from_go_and_is_read_whole(sim, client):
    """The API server (Go's net/http) chunks any answer longer than 2 KB; the client
    reads a chunked list into one buffer piece by piece (pieces of 1 MB: a 3 MB list
    crosses them) and has every byte, while a short answer keeps its Content-Length."""
    for i in range(3):
        sim.create("ConfigMap", "default", {"metadata": {"name": f"big-{i}"},
                                            "data": {"blob": f"{i}" * 1_000_000}})
    with urllib.request.urlopen(sim.url + "/api/v1/namespaces/default/configmaps") as resp:
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert resp.headers["Content-Length"] is None
        whole = resp.read()
    with urllib.request.urlopen(sim.url + "/version") as resp:
        assert resp.headers["Transfer-Encoding"] is None
        assert int(resp.headers["Content-Length"]) == len(resp.read())

    data = client.request("GET", "/api/v1/namespaces/default/configmaps")
    assert isinstance(data, bytearray)  # one buffer filled piece by piece, not a join
    assert data == whole
    assert len(data) > 2 * client_module.PIECE  # (so it crossed pieces)
    items = {o["metadata"]["name"]: (o.get("data") or {}).get("blob")
             for o in orjson.loads(data)["items"]}
    assert [items[f"big-{i}"] == f"{i}" * 1_000_000 for i in range(3)] == [True] * 3
