"""The live lint's feed (kube/lint_feed.py) against the demo: it follows the cluster
through taps of the informers' stores, beside the view that paints them, and keeps
going when the views let an informer it shares go."""

from __future__ import annotations

import gc
import weakref

import pytest
from conftest import wait_until

from kubetui.kube.cluster import Cluster
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.lint_feed import LiveLint
from kubetui.kube.store import Store


def test_a_tap_sees_every_change_whoever_else_reads_the_store():
    store = Store()
    tap = store.tap()
    store.upsert({"metadata": {"name": "a", "namespace": "x"}})
    assert store.take_changes()[1] == {"x/a"}  # the painting view takes its changes ...
    reset, dirty, items = store.take_tap(tap)  # ... and the tap still has its own
    assert reset and set(items) == {"x/a"}
    store.upsert({"metadata": {"name": "b", "namespace": "x"}})
    store.delete({"metadata": {"name": "a", "namespace": "x"}})
    reset, dirty, items = store.take_tap(tap)
    assert not reset and dirty == {"x/a", "x/b"} and "x/a" not in items
    store.replace([{"metadata": {"name": "c", "namespace": "x"}}])  # a relist
    reset, _, items = store.take_tap(tap)
    assert reset and set(items) == {"x/c"}
    store.untap(tap)
    store.upsert({"metadata": {"name": "d", "namespace": "x"}})
    assert tap.dirty == set()


@pytest.fixture
def cluster(kubeconfig):
    c = Cluster(load_kubeconfig([kubeconfig]))
    yield c
    c.close(wait=1)


def findings(live, rule, key):
    return [f for f in live.linter.findings() if (f.rule, f.key) == (rule, key)]


def settles(live, predicate):
    """Wait until, after taking what changed, the predicate holds."""
    def check():
        live.refresh()
        return predicate()
    return wait_until(check)


def test_the_live_lint_follows_a_fix_and_a_regression(cluster, kubectl):
    live = LiveLint(cluster)
    assert "ConfigMap" in live.kinds and "Event" in live.kinds
    settles(live, lambda: live.synced and findings(live, "missing-requests", "legacy/wiki"))
    assert live.unread() == {}
    kubectl("patch", "deployment", "wiki", "-n", "legacy", "--type", "json", "-p",
            '[{"op":"add","path":"/spec/template/spec/containers/0/resources","value":'
            '{"requests":{"cpu":"50m","memory":"64Mi"}}}]')
    settles(live, lambda: not findings(live, "missing-requests", "legacy/wiki"))
    assert not findings(live, "hpa-without-requests", "legacy/wiki")  # the HPA's too
    kubectl("patch", "deployment", "wiki", "-n", "legacy", "--type", "json", "-p",
            '[{"op":"remove","path":"/spec/template/spec/containers/0/resources"}]')
    settles(live, lambda: findings(live, "hpa-without-requests", "legacy/wiki"))
    live.stop()


def test_an_informer_the_views_let_go_keeps_feeding_the_lint(cluster):
    """Groups are counted by their users: views that come and go over a kind the lint
    watches leave the lint's group running, and its findings stay."""
    live = LiveLint(cluster)
    settles(live, lambda: live.synced)
    live.refresh()  # everything listed is in: the findings are the steady ones
    group = live.groups["Service"]
    before = {f.key for f in live.linter.findings() if f.kind == "Service"}
    for kind in ("Service", "Node", "Ingress", "Role", "RoleBinding", "StorageClass"):
        cluster.release(cluster.watch(kind), keep=2)  # views come and go
    assert any(g is group for g in cluster.groups.values())  # still running for the lint
    live.refresh()
    assert live.groups["Service"] is group
    settles(live, lambda: live.groups["Service"].synced and {
        f.key for f in live.linter.findings() if f.kind == "Service"} == before)
    live.stop()


def test_a_stopped_live_lint_lets_go_of_the_cluster_without_a_collection(cluster):
    """After a context switch the old session's lint (every object of its cluster and
    their findings) goes at once, by reference counting: the linter, its index and its
    findings refer to one another, and the app keeps the heap frozen, so as cyclic
    garbage it stayed beside the new session's until the next heap reset."""
    live = LiveLint(cluster)
    settles(live, lambda: live.settled and findings(live, "missing-requests", "legacy/wiki"))
    linter = weakref.ref(live.linter)
    kept = findings(live, "missing-requests", "legacy/wiki")[0]  # (a screen holds one)
    gc.disable()  # (no collection may help it)
    try:
        live.stop()
        assert live.linter.findings() == [] and not live.linter.objs["Pod"]
        assert "the context was switched" in kept.fix  # not "gone": nobody looks
        live = kept = None  # (the session, and the screen, let go of it)
        assert linter() is None
    finally:
        gc.enable()


def test_a_first_pass_that_ends_after_the_stop_is_not_taken(cluster):
    live = LiveLint(cluster)
    wait_until(lambda: live.listed)  # (refresh() would take the first pass itself)
    live.stop()
    live.build()  # (a worker that was still running)
    assert not live.built and live.linter.findings() == []


def test_the_lints_metrics_read_with_the_server_down_is_logged_not_raised(
        cluster, monkeypatch, caplog):
    """A read each minute; with the server down it had failed the worker, and the user got
    a raw MaxRetryError notification each time (the header already says the server is
    unreachable)."""
    import urllib3

    from kubetui.kube import metrics_read

    reads = metrics_read.pod_reads(cluster.client)
    refused = urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")

    def down(*args, **kwargs):
        down.calls += 1
        raise urllib3.exceptions.MaxRetryError(None, "/apis/metrics.k8s.io/v1beta1/pods",
                                               refused)
    down.calls = 0
    monkeypatch.setattr(reads, "read", down)
    live = LiveLint(cluster)
    with caplog.at_level("ERROR", logger="kubetui.lint"):
        live.poll_metrics()
    assert down.calls == 1  # (the fault fired)
    record = next(r for r in caplog.records if "could not read pod metrics" in r.message)
    assert record.exc_info is not None and "connection refused" in record.getMessage()
    assert live._metrics is None and live.metrics_served is None  # nothing handed over
    live.stop()


def test_a_503_from_the_metrics_api_is_asked_again_at_the_next_turn(cluster, monkeypatch):
    """The aggregator answers 503 while metrics-server restarts (and the soak's faults
    answer it to any request): the lint had stopped reading usage for the rest of the
    session (its tight-memory-limit findings and the lint screen's "metrics: none")."""
    from kubetui.kube import metrics_read
    from kubetui.kube.client import ApiError

    reads = metrics_read.pod_reads(cluster.client)
    real = reads.read
    answers = [ApiError(503, "ServiceUnavailable", "the server is currently unable to "
                        "handle the request")]

    def read(*args, **kwargs):
        if answers:
            raise answers.pop(0)
        return real(*args, **kwargs)
    monkeypatch.setattr(reads, "read", read)
    live = LiveLint(cluster)
    live.metrics_every = 0.0  # (every turn is due)
    assert live.metrics_due()
    live.poll_metrics()
    assert answers == [] and live.metrics_served is not False  # (the 503 came)
    assert live.metrics_due()  # asked again
    live.poll_metrics()
    assert live.metrics_served is True and live._metrics is not None
    live.stop()
