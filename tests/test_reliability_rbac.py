"""A user who may list pods only in some namespaces, and may not list namespaces (a common
RBAC setup): kubetui finds the namespaces it may watch among the context's namespace, -n
and the config's favourites, asking with SelfSubjectRulesReview where the server answers
one completely (access reviews otherwise), and says which it watches. The sim answers
those reviews in the real server's shapes (tests/fixtures/real-k8s/errors)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import orjson
import pytest
from aiohttp import web
from conftest import FAST, wait_for, wait_until
from helpers import poll_metrics

from kubetui.kube.client import KubeClient
from kubetui.kube.cluster import Cluster
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.informer import FORBIDDEN, LIVE
from kubetui.sim import SimCluster

ERRORS = Path(__file__).parent / "fixtures" / "real-k8s" / "errors"
RBAC = "rbac.authorization.k8s.io"


def golden(name: str) -> dict:
    return json.loads((ERRORS / name).read_text())


def pods_of(sim: SimCluster, *namespaces: str) -> dict[str, str]:
    return {f"{p['metadata']['namespace']}/{p['metadata']['name']}":
            p["metadata"]["resourceVersion"] for p in sim.list("Pod")
            if p["metadata"]["namespace"] in namespaces}


def cached(group) -> dict[str, str]:
    _, items = group.store.snapshot()
    return {k: o["metadata"]["resourceVersion"] for k, o in items.items()}


def grant(sim: SimCluster, user: str, namespace: str, role: str = "view") -> None:
    sim.create("RoleBinding", namespace, {
        "metadata": {"name": f"{user}-{role}"},
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": user}]})


# -- the sim answers access reviews as the real server does

@pytest.fixture(scope="module")
def real_setup(tmp_path_factory):
    """The captured server's setup: user dev with Role shop-viewer in shop, bound by
    RoleBinding dev-shop-viewer, and nothing in payments."""
    sim = SimCluster(None, speed=FAST, tls=True).start()
    for ns in ("shop", "payments"):
        sim.create("Namespace", None, {"metadata": {"name": ns}})
    rules = golden("ssrr-dev-shop.json")["body"]["status"]["resourceRules"][2:]
    sim.create("Role", "shop", {"metadata": {"name": "shop-viewer"}, "rules": rules})
    sim.create("RoleBinding", "shop", {
        "metadata": {"name": "dev-shop-viewer"},
        "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "shop-viewer"},
        "subjects": [{"apiGroup": RBAC, "kind": "User", "name": "dev"}]})
    path = sim.write_kubeconfig(str(tmp_path_factory.mktemp("dev") / "dev"), "dev", user="dev")
    client = KubeClient.connect(load_kubeconfig([path]))
    yield sim, client
    client.close()
    sim.stop()


def ask(client: KubeClient, capture: dict) -> dict:
    req = capture["request"]
    return client.send_json(req["method"], req["path"], req["body"])


@pytest.mark.parametrize("name", ["ssrr-dev-shop.json", "ssrr-dev-payments.json"])
def test_rules_reviews_answer_as_the_real_server(real_setup, name):
    _, client = real_setup
    want, got = golden(name)["body"], ask(client, golden(name))

    def canonical(body: dict) -> dict:  # the real server lists non-resource rules in
        status = dict(body["status"])  # no particular order
        status["nonResourceRules"] = sorted(status["nonResourceRules"],
                                            key=lambda r: json.dumps(r, sort_keys=True))
        return {**body, "status": status}

    assert canonical(got) == canonical(want)


@pytest.mark.parametrize("name", sorted(p.name for p in ERRORS.glob("ssar-dev-*.json")))
def test_access_reviews_answer_as_the_real_server(real_setup, name):
    _, client = real_setup
    capture = golden(name)
    want, got = capture["body"], ask(client, capture)
    assert got["kind"] == want["kind"] and got["apiVersion"] == want["apiVersion"]
    assert got["spec"] == want["spec"]
    assert got["status"] == want["status"]
    (got_entry,), (want_entry,) = got["metadata"]["managedFields"], \
        want["metadata"]["managedFields"]
    assert set(got_entry) == set(want_entry)
    assert got_entry["fieldsV1"] == want_entry["fieldsV1"]
    assert set(got["metadata"]) == set(want["metadata"]) == {"managedFields"}


# -- the fallback of a user who may not list namespaces

class Reviews:
    """Counts the access reviews the sim answers; can answer rules reviews itself."""

    def __init__(self, sim: SimCluster, incomplete: bool = False):
        self.rules = self.access = 0
        self.incomplete = incomplete
        sim.request_hooks.append(self.hook)

    async def hook(self, request: web.Request):
        if request.path.endswith("/selfsubjectrulesreviews"):
            self.rules += 1
            if self.incomplete:  # as a server with a webhook authorizer answers
                body = {"kind": "SelfSubjectRulesReview",
                        "apiVersion": "authorization.k8s.io/v1", "metadata": {}, "spec": {},
                        "status": {"resourceRules": [], "nonResourceRules": [],
                                   "incomplete": True,
                                   "evaluationError": "webhook authorizer does not "
                                                      "support user rule resolution"}}
                return web.Response(body=orjson.dumps(body), status=201,
                                    content_type="application/json")
        elif request.path.endswith("/selfsubjectaccessreviews"):
            self.access += 1
        return None


@pytest.fixture()
def tls_sim():
    sim = SimCluster("demo", speed=FAST, tls=True).start()
    yield sim
    sim.stop()


def ops_cluster(sim, tmp_path, namespaces=(), **kw) -> Cluster:
    """User ops may view shop and payments, and may not list namespaces."""
    for ns in ("shop", "payments"):
        grant(sim, "ops", ns)
    path = sim.write_kubeconfig(str(tmp_path / "ops"), context="ops", user="ops", **kw)
    return Cluster(load_kubeconfig([path]), namespaces=list(namespaces))


@pytest.mark.parametrize("incomplete", [False, True])
def test_favourite_namespaces_are_watched_when_namespaces_cannot_be_listed(
        tls_sim, tmp_path, incomplete):
    reviews = Reviews(tls_sim, incomplete)
    cluster = ops_cluster(tls_sim, tmp_path, ["monitoring", "shop", "payments"])
    try:
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and group.synced, timeout=20)
        wait_until(lambda: cached(group) == pods_of(tls_sim, "shop", "payments"))
        assert sorted(group.scoped) == ["payments", "shop"]
        wait_until(lambda: group.health.state == LIVE)  # once each watch stream is open
        assert "watching payments, shop" in group.health.message
        assert reviews.rules >= 4  # one for each of default, monitoring, shop, payments
        if incomplete:  # the rules review said nothing: access reviews for each
            assert reviews.access >= 1 + 4
        else:  # none but for the cluster-wide question (list, then watch)
            assert reviews.access <= 2
    finally:
        cluster.close()


def test_the_context_namespace_and_n_are_tried_too(tls_sim, tmp_path):
    cluster = ops_cluster(tls_sim, tmp_path, ["payments"], namespace="shop")
    try:
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and group.synced, timeout=20)
        assert sorted(group.scoped) == ["payments", "shop"]
    finally:
        cluster.close()


def test_no_readable_namespace_says_which_were_tried(tls_sim, tmp_path):
    cluster = ops_cluster(tls_sim, tmp_path, ["monitoring"])
    try:
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and group.tried, timeout=20)
        health = group.health
        assert health.state == FORBIDDEN
        assert "you may not list pods in any namespace" in health.message
        assert "(default, monitoring)" in health.message  # which were tried
    finally:
        cluster.close()


def test_the_namespace_set_is_copied_on_write(tls_sim, tmp_path, monkeypatch):
    """What a reader took (the UI thread iterating `scoped`) is never changed under it:
    the supervisor builds a new dict and swaps it in."""
    from kubetui.kube.cluster import InformerGroup

    monkeypatch.setattr(InformerGroup, "recheck_seconds", 0.2)
    sim = tls_sim
    grant(sim, "ops", "shop")
    path = sim.write_kubeconfig(str(tmp_path / "ops"), context="ops", user="ops")
    cluster = Cluster(load_kubeconfig([path]), namespaces=["shop", "payments"])
    try:
        group = cluster.watch("Pod")
        wait_until(lambda: group.main is None and sorted(group.scoped) == ["shop"],
                   timeout=20)
        taken = group.scoped
        snapshot = dict(taken)
        grant(sim, "ops", "payments")
        wait_until(lambda: sorted(group.scoped) == ["payments", "shop"], timeout=20)
        assert taken == snapshot and taken is not group.scoped
    finally:
        cluster.close()


async def test_the_app_watches_the_favourites_of_a_user_who_cannot_list_namespaces(
        tls_sim, tmp_path, notes):
    from kubetui.ui.app import KubetuiApp, Settings

    for ns in ("shop", "payments"):
        grant(tls_sim, "ops", ns)
    path = tls_sim.write_kubeconfig(str(tmp_path / "ops"), context="ops", user="ops")
    app = KubetuiApp(load_kubeconfig([path]), Settings(favorites=["payments", "monitoring"]))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            def shown() -> set[str]:
                browser = app.browser
                return {k.split("/")[0] for k in browser.table.keys()} \
                    if browser.ready else set()

            assert await wait_for(pilot, lambda: app.browser.group is not None
                                  and app.browser.group.main is None
                                  and app.browser.group.synced and shown(), tries=400)
            assert shown() == {"payments"}  # shop is readable, but nothing said to try it
            assert "watching payments" in app.browser.group.health.message
            assert notes.errors() == []
    finally:
        app.shutdown()


async def test_metrics_a_user_may_not_read_are_logged_once_not_every_poll(
        make_app, sim, tmp_path, caplog, notes):
    """The metrics poll runs every 15 s: a user who may not read metrics.k8s.io gets the
    failure in the log once, with its traceback, not four times a minute for good; the
    user is told once why, and the usage columns say unknown (they vanished silently, as
    if the cluster had no metrics-server)."""

    path = sim.write_kubeconfig(str(tmp_path / "dev"), context="dev", user="dev")
    app = make_app(config=path)
    with caplog.at_level(logging.ERROR):
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.browser.group is not None
                                  and app.browser.state.kind == "Pod")

            def failures() -> int:
                return sum(1 for r in caplog.records if r.levelno == logging.ERROR
                           and "metrics.k8s.io" in r.getMessage())

            await poll_metrics(pilot, app)
            assert await wait_for(pilot, lambda: failures() >= 1)  # it was refused
            assert failures() == 1
            assert app.browser.usage.poll.error and "forbidden" in app.browser.usage.poll.error
            said = [m for m in notes.messages() if m.startswith("could not read usage: ")]
            assert len(said) == 1 and 'cannot list resource "pods" in API group ' \
                '"metrics.k8s.io"' in said[0], notes.messages()
            table = app.browser.table
            assert await wait_for(pilot, lambda: "CPU" in table.columns and table.row_count
                                  and all(table.row(k)[0][table.columns.index("CPU")] ==
                                          "<unknown>" for k in table.keys()))
