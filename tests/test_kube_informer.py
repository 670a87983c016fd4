"""Informers against the sim under every fault it offers: each converges to the server's
exact state (same keys, same resourceVersions) while pods keep changing; a restricted
user keeps working in its namespaces; switching context leaves nothing running."""

from __future__ import annotations

import threading

import pytest
from conftest import FAST, wait_until
from helpers import client_state, server_state

from kubetui.kube.cluster import Cluster, switch
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.informer import FORBIDDEN, LIVE, Informer
from kubetui.sim import SimCluster


@pytest.fixture()
def churning(tmp_path):
    sim = SimCluster("demo", speed=FAST).start()
    sim.bulk.load(300)
    path = sim.write_kubeconfig(str(tmp_path / "config"))
    cluster = Cluster(load_kubeconfig([path]))
    group = cluster.watch("Pod")
    assert group.wait_synced(20)
    wait_until(lambda: group.health.state == LIVE)  # the watch stream is open
    sim.bulk.churn(150)
    yield sim, cluster, group
    cluster.close()
    sim.stop()


def watches(group) -> int:
    return sum(i.watches for i in group.informers)


def converge(sim, group, opened: int, timeout: float = 30) -> None:
    """The fault fired and the informers rode it out: a watch was opened again since
    `opened` (a count of `watches`), live; then, with the churn stopped, the cache equals
    the server's objects at their resourceVersions."""
    wait_until(lambda n=opened: watches(group) > n and group.health.state == LIVE,
               timeout=timeout)
    sim.bulk.stop_churn()
    wait_until(lambda: client_state(group) == server_state(sim), timeout=timeout)
    assert group.health.state == LIVE


def test_converges_after_dropped_watches(churning):
    sim, _, group = churning
    first = opened = watches(group)
    for _ in range(3):
        sim.faults.drop_watches()
        wait_until(lambda n=opened: watches(group) > n)  # cut, and opened again
        opened = watches(group)
    assert opened >= first + 3
    converge(sim, group, first)


def test_relists_after_410_gone(churning):
    sim, _, group = churning
    lists, opened = group.main.lists, watches(group)
    sim.faults.expire()
    wait_until(lambda: group.main.lists > lists)  # the 410 made it list again
    converge(sim, group, opened)


@pytest.mark.parametrize("code,retry", [(500, None), (503, None), (429, 1)])
def test_backs_off_through_server_errors(churning, code, retry, monkeypatch):
    # the backoff's first steps a tenth as long (0.05, 0.1, 0.2, 0.4 s, each 50-100%):
    # four errors in a row cost up to 7.5 s of waiting at the product's 0.5 s; a
    # Retry-After still sets the least wait (429: 1 s each)
    monkeypatch.setattr(Informer, "backoff_base", 0.05)
    sim, _, group = churning
    opened = watches(group)
    sim.faults.errors(4, code, retry_after=retry)
    sim.faults.drop_watches()
    wait_until(lambda: sim.faults.injected >= 4, timeout=30)
    converge(sim, group, opened)


def test_rides_out_a_stall(churning):
    sim, _, group = churning
    opened = watches(group)
    sim.faults.stall(2.0)
    sim.faults.drop_watches()
    converge(sim, group, opened)


def test_comes_back_after_the_server_was_down(churning):
    sim, _, group = churning
    opened = watches(group)
    sim.faults.down(2.0)
    wait_until(lambda: group.health.state != LIVE, timeout=10)
    assert "cannot reach" in group.health.message or "cut" in group.health.message
    assert group.health.live_until > 0  # the UI can say "stale since"
    converge(sim, group, opened)


def test_reloads_credentials_after_401(churning):
    sim, cluster, group = churning
    opened = watches(group)
    sim.faults.rotate_token()
    sim.faults.drop_watches()
    wait_until(lambda: cluster.client.reloads >= 1, timeout=20)
    converge(sim, group, opened)


def test_a_restricted_user_keeps_working_in_its_namespaces(tmp_path):
    sim = SimCluster("demo", speed=FAST, tls=True).start()
    try:
        path = sim.write_kubeconfig(str(tmp_path / "dev"), context="dev", user="dev")
        cluster = Cluster(load_kubeconfig([path]))
        group = cluster.watch("Pod")
        # listed, then watching: live once the watch stream is open
        wait_until(lambda: group.main is None and group.synced
                   and group.health.state == LIVE, timeout=20)
        keys = client_state(group)
        shop = {k: v for k, v in server_state(sim).items() if k.startswith("shop/")}
        assert keys and set(keys) == set(shop)
        assert "watching shop" in group.health.message
        assert group.health.state == LIVE
        cluster.close()
        assert cluster.threads_alive == 0
    finally:
        sim.stop()


def test_a_user_with_no_rights_is_told_so(tmp_path):
    sim = SimCluster(None, speed=FAST, tls=True).start()
    try:
        path = sim.write_kubeconfig(str(tmp_path / "nobody"), context="n", user="nobody")
        cluster = Cluster(load_kubeconfig([path]))
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None, timeout=20)
        assert group.health.state == FORBIDDEN
        assert "you may not list pods in any namespace" in group.health.message
        cluster.close()
    finally:
        sim.stop()


def test_switching_context_stops_the_old_informers(tmp_path):
    a = SimCluster("demo", speed=FAST, name="alpha").start()
    b = SimCluster(None, speed=FAST, name="beta").start()
    try:
        kc = load_kubeconfig([a.write_kubeconfig(str(tmp_path / "a")),
                              b.write_kubeconfig(str(tmp_path / "b"))])
        first = Cluster(kc, "alpha")
        pods = first.watch("Pod")
        first.watch("Deployment")
        assert pods.wait_synced(20) and len(pods.store) > 0
        old_informers = [i for g in first.groups.values() for i in g.informers]
        second = switch(first, kc, "beta")
        assert all(not i.alive for i in old_informers)
        assert first.client.api.rest_client.pool_manager.pools.keys() == set()
        fresh = second.watch("Pod")
        assert fresh.wait_synced(20)
        assert len(fresh.store) == len(b.list("Pod"))
        def named(prefix: str) -> int:
            return sum(1 for t in threading.enumerate() if t.name.startswith(prefix))
        # the old session's threads end (a supervisor may be between two looks)
        wait_until(lambda: named("informer ") == second.threads_alive
                   and named("supervisor ") == len(second.groups), timeout=20)
        second.close()
    finally:
        a.stop()
        b.stop()


def test_without_namespace_list_rights_the_context_namespace_is_used(tmp_path):
    sim = SimCluster("demo", speed=FAST, tls=True).start()
    try:
        sim.create("RoleBinding", "payments", {
            "metadata": {"name": "ops-view"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": "view"},
            "subjects": [{"kind": "User", "name": "ops"}]})
        path = sim.write_kubeconfig(str(tmp_path / "ops"), context="ops", user="ops",
                                    namespace="payments")
        cluster = Cluster(load_kubeconfig([path]))
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and group.synced, timeout=20)
        assert client_state(group) and all(k.startswith("payments/")
                                           for k in client_state(group))
        cluster.close()
    finally:
        sim.stop()
