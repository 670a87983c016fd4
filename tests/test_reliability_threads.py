"""Every thread kubetui starts survives what it did not expect: an informer that reads a
watch line that is JSON but not an event, a namespace supervisor whose access reviews
fail on the network. Each says so (health, an ERROR log with its traceback), backs off,
and recovers; none dies while its health still says "live"."""

from __future__ import annotations

import logging

import pytest
from conftest import FAST, wait_until
from helpers import client_state, server_state

from kubetui.kube.cluster import Cluster, InformerGroup
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.informer import BACKOFF, LIVE
from kubetui.kube.kinds import KINDS
from kubetui.sim import SimCluster


def errors_with_traceback(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.levelno >= logging.ERROR
            and r.exc_info is not None]


@pytest.fixture()
def sim():
    cluster = SimCluster("demo", speed=FAST).start()
    yield cluster
    cluster.stop()


@pytest.mark.parametrize("line", [b"[]", b"42"])
def test_a_watch_line_that_is_not_an_event_backs_off_and_recovers(sim, tmp_path, caplog,
                                                                   line):
    caplog.set_level(logging.INFO)
    cluster = Cluster(load_kubeconfig([sim.write_kubeconfig(str(tmp_path / "config"))]))
    try:
        group = cluster.watch("Pod")
        informer = group.main
        informer.backoff_base = 1.0  # long enough a backoff to be seen by polling
        assert group.wait_synced(20)
        wait_until(lambda: informer.health.state == LIVE)
        thread = informer._thread
        sim.faults.bad_watch_lines(line, path="/api/v1/pods")
        sim.faults.drop_watches()  # the informer's next watch gets the line
        wait_until(lambda: informer.health.state == BACKOFF, timeout=20)
        assert sim.faults.bad_lines_sent == 1  # the fault fired
        assert informer.health.message  # it says why
        assert errors_with_traceback(caplog, "kubetui.informer")
        wait_until(lambda: informer.health.state == LIVE, timeout=20)
        wait_until(lambda: client_state(group) == server_state(sim), timeout=20)
        assert informer._thread is thread and thread.is_alive()
    finally:
        cluster.close()


def test_the_namespace_supervisor_survives_a_network_failure(tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    # look at the namespaces again often, so that it happens while the server is down
    monkeypatch.setattr(InformerGroup, "recheck_seconds", 0.2)
    sim = SimCluster("demo", speed=FAST, tls=True).start()
    try:
        path = sim.write_kubeconfig(str(tmp_path / "dev"), context="dev", user="dev")
        cluster = Cluster(load_kubeconfig([path]))
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and group.synced, timeout=20)
        sim.faults.down(2.0)
        wait_until(lambda: errors_with_traceback(caplog, "kubetui.cluster"), timeout=20)
        assert group._supervisor.is_alive()
        wait_until(lambda: group.health.state == LIVE and group.synced, timeout=30)
        shop = {k: v for k, v in server_state(sim).items() if k.startswith("shop/")}
        wait_until(lambda: client_state(group) == shop, timeout=20)
        assert group._supervisor.is_alive()
        cluster.close()
    finally:
        sim.stop()


def test_a_supervisor_sleeps_until_its_informer_changes_state(sim, tmp_path):
    """Each kind's supervisor looked at its informer five times a second (15 kinds: 75
    wake-ups a second of an idle dashboard). With the cluster-wide informer live it now
    waits with no timeout, and the informer's state changes wake it."""
    import threading

    waits: list[float | None] = []

    class Recorded(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            return super().wait(timeout)

    cluster = Cluster(load_kubeconfig([sim.write_kubeconfig(str(tmp_path / "config"))]))
    try:
        group = InformerGroup(cluster.client, KINDS["Pod"])
        group._poke = Recorded()
        group.start()
        assert group.wait_synced(20)
        wait_until(lambda: group.main.health.state == LIVE)
        wait_until(lambda: len(waits) >= 2)  # woken by SYNCING -> LIVE, asleep again
        assert waits[-1] is None and all(w is None for w in waits)
        before = len(waits)
        sim.faults.expire()  # the watch's resourceVersion is gone: relisting, then live
        sim.faults.drop_watches()
        wait_until(lambda: len(waits) > before and group.main.health.state == LIVE)
        assert group.main.lists == 2  # the fault fired: it listed again
        assert all(w is None for w in waits)
        group.stop()
        assert not group._supervisor.is_alive()  # the stop woke it, and it ended
    finally:
        cluster.close()
