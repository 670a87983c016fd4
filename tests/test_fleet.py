"""The fleet against three simulated clusters at once (the module's demo cluster, a small
one that goes down, a TLS one whose user may only read `shop`), plus a context on a
closed port, one whose exec plugin is missing and one shadowed by a later file: every
row says what its cluster is, the fault shows as "stale" and passes, a restricted user's
row says what it could not see, enter switches context, find looks everywhere, sort."""

from __future__ import annotations

import base64
import datetime
import socket
import sys
import time

import pytest
import yaml
from conftest import FAST, deployment, wait_for, wait_until
from helpers import command, help_rows

from kubetui.kube.config import load_kubeconfig
from kubetui.kube.fleet import AUTH_FAILED, REACHABLE, STALE, UNREACHABLE, Fleet
from kubetui.sim import SimCluster


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return port


def self_signed_cert(days: float) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "me")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def fleet_files(sim, tmp_path_factory):
    """Split kubeconfig files, as in ~/.kube/clusters/cluster*: (paths, small sim,
    restricted sim)."""
    folder = tmp_path_factory.mktemp("clusters")
    small = SimCluster(None, speed=FAST).start()
    small.create("Node", None, {"apiVersion": "v1", "kind": "Node",
                                "metadata": {"name": "small-1"}})
    small.create("Deployment", "default", deployment("api", replicas=2))
    shop = SimCluster("demo", speed=FAST, tls=True).start()
    paths = [sim.write_kubeconfig(str(folder / "cluster-demo"), context="demo"),
             small.write_kubeconfig(str(folder / "cluster-small"), context="small"),
             shop.write_kubeconfig(str(folder / "cluster-shop"), context="shop-dev",
                                   user="dev", namespace="shop")]
    port = closed_port()
    other = {"apiVersion": "v1", "kind": "Config",
             "clusters": [{"name": "gone", "cluster": {"server": f"http://127.0.0.1:{port}"}},
                          {"name": "demo", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
             "users": [{"name": "eks", "user": {"exec": {
                 "apiVersion": "client.authentication.k8s.io/v1beta1",
                 "command": "kubetui-no-such-plugin", "args": ["eks", "get-token"]}}},
                 {"name": "certified", "user": {"client-certificate-data": base64.b64encode(
                     self_signed_cert(3)).decode()}}],
             "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "certified"}},
                          {"name": "eks-prod", "context": {"cluster": "gone", "user": "eks"}},
                          # the same name as the first file's: shadowed, shown once
                          {"name": "demo", "context": {"cluster": "demo", "user": "eks"}}]}
    # an exec plugin (as `aws eks get-token`) handing out a token that expires in 2 days
    plugin = folder / "get-token.py"
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2))
    plugin.write_text(
        "import json\nprint(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',"
        " 'kind': 'ExecCredential', 'status': {'token': %r, 'expirationTimestamp': %r}}))\n"
        % (small.auth.admin_token, expires.strftime("%Y-%m-%dT%H:%M:%SZ")))
    other["clusters"].append({"name": "small-exec", "cluster": {"server": small.url}})
    other["users"].append({"name": "plugged", "user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
        "args": [str(plugin)]}}})
    other["contexts"].append({"name": "small-exec", "context": {"cluster": "small-exec",
                                                                "user": "plugged"}})
    path = folder / "cluster-zz-other"
    path.write_text(yaml.safe_dump(other))
    paths.append(str(path))
    yield paths, small, shop
    small.stop()
    shop.stop()


def rows_by_name(fleet: Fleet) -> dict:
    return {r.context: r for r in fleet.rows()}


def test_every_context_is_one_row_saying_what_its_cluster_is(sim, api, fleet_files):
    paths, small, shop = fleet_files
    kc = load_kubeconfig(paths)
    fleet = Fleet(kc).start()
    try:
        assert sorted(fleet.sources) == ["demo", "eks-prod", "gone", "shop-dev", "small",
                                         "small-exec"]

        def ready():
            rows = rows_by_name(fleet)
            return all(rows[n].state == REACHABLE and not rows[n].unknown
                       for n in ("demo", "small")) and rows["shop-dev"].pods_total \
                is not None and rows["gone"].state == UNREACHABLE and \
                rows["eks-prod"].state == AUTH_FAILED and rows
        rows = wait_until(ready, timeout=30)
        demo, little, dev = rows["demo"], rows["small"], rows["shop-dev"]
        from kubernetes.client import VersionApi
        assert demo.version == VersionApi(api).get_code().git_version
        assert demo.nodes_total == len(sim.list("Node"))
        assert demo.nodes_ready == demo.nodes_total
        wait_until(lambda: rows_by_name(fleet)["demo"].pods_total == len(sim.list("Pod")))
        assert little.nodes_total == 1
        # the shadowed context: one row, from the first file, the later one listed
        assert demo.file == paths[0]
        assert any("cluster-zz-other" in s and 'context "demo"' in s for s in demo.shadows)
        # the restricted user: nodes are not known (not zero), pods of shop only
        assert dev.nodes_total is None and dev.unknown["nodes"].startswith("forbidden")
        assert dev.scope["pods"] == "shop only"
        wait_until(lambda: rows_by_name(fleet)["shop-dev"].pods_total ==
                   len(shop.list("Pod", "shop")))
        # the closed port and the missing exec plugin, each in its own words
        gone, eks = rows["gone"], rows["eks-prod"]
        assert "connection refused" in gone.reason and gone.nodes_total is None
        assert "kubetui-no-such-plugin is not installed" in eks.reason
        # the client certificate of "gone" expires in 3 days: soon
        assert gone.expiry is not None and gone.expiry.what == "client certificate"
        assert gone.expiry.soon(gone.expiry.when - 3 * 86400)
        assert abs(gone.expiry.when - time.time() - 3 * 86400) < 600
        # what the exec plugin said: its token expires in 2 days, and the plugin renews it
        plugged = wait_until(lambda: (r := rows_by_name(fleet)["small-exec"]).state ==
                             REACHABLE and r.expiry is not None and r)
        assert plugged.expiry.what == "exec token" and plugged.expiry.renews
        assert abs(plugged.expiry.when - time.time() - 2 * 86400) < 600
        assert plugged.nodes_total == len(small.list("Node"))
    finally:
        fleet.stop()
    assert fleet.threads_alive == 0


def test_rows_follow_the_watches_and_a_down_cluster_goes_stale(fleet_files):
    paths, small, _ = fleet_files
    fleet = Fleet(load_kubeconfig(paths), contexts=["small"]).start()
    try:
        wait_until(lambda: fleet.rows()[0].state == REACHABLE and fleet.rows()[0].pods_total
                   == len(small.list("Pod")) and not fleet.rows()[0].unknown, timeout=30)
        lists = sum(w.lists for p in fleet.sources["small"].parts.values() for w in p.watches)
        before = fleet.rows()[0].pods_total
        small.create("Pod", "default", {"apiVersion": "v1", "kind": "Pod",
                                        "metadata": {"name": "extra"},
                                        "spec": {"containers": [{"name": "c",
                                                                 "image": "nginx"}]}})
        wait_until(lambda: fleet.rows()[0].pods_total == before + 1)
        # the watch brought it: no list was made for it
        assert sum(w.lists for p in fleet.sources["small"].parts.values()
                   for w in p.watches) == lists
        versions = []

        async def count_versions(request):
            if request.path == "/version":
                versions.append(request.path)
            return None
        small.request_hooks.insert(0, count_versions)
        small.faults.down(4)
        row = wait_until(lambda: (r := fleet.rows()[0]).state == STALE and r, timeout=20)
        assert row.since > 0 and ("connection refused" in row.reason or
                                  "was cut" in row.reason), row.reason
        assert row.pods_total == before + 1  # what it knew is still shown, as stale
        wait_until(lambda: fleet.rows()[0].state == REACHABLE, timeout=40)
        wait_until(lambda: versions)  # back: the version is read again
    finally:
        small.request_hooks[:] = [h for h in small.request_hooks
                                  if getattr(h, "__name__", "") != "count_versions"]
        fleet.stop()
        small.delete("Pod", "default", "extra")


@pytest.mark.asyncio
async def test_fleet_screen_sorts_switches_and_finds(fleet_files, make_app, notes):
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.screens.browser import BrowserScreen
    from kubetui.ui.screens.fleet import FleetScreen
    from kubetui.ui.screens.fleet_find import FleetFindScreen

    paths, small, _ = fleet_files
    app = KubetuiApp(load_kubeconfig(paths), Settings(fleet=True))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
            screen = app.screen
            table = screen.table

            def cell(name: str, column: str) -> str:
                row = table.row(name)
                return row[0][screen.table.columns.index(column)] if row else ""
            assert await wait_for(pilot, lambda: cell("small", "NODES") == "1/1" and
                                  cell("gone", "STATE").startswith("unreachable") and
                                  cell("eks-prod", "STATE").startswith("auth failed"))
            assert app.cluster is None  # started on the fleet: nothing connected yet
            assert table.row("gone")[1] == "error" and table.row("eks-prod")[1] == "error"
            shadows = app.kubeconfig.shadows_of("demo")  # a later file's context, cluster
            assert len(shadows) == 2 and f"(+{len(shadows)})" in cell("demo", "FILE")
            help = await help_rows(pilot, app)
            assert help["Switch context"] in ("⏎", "enter") and help["Sort by restarts/1h"] == "R"
            await pilot.press("N")  # by context name, then the other way
            assert table.keys() == sorted(table.keys())
            await pilot.press("N")
            assert table.keys() == sorted(table.keys(), reverse=True)
            await pilot.press("S")  # by state: the failing ones first
            assert table.keys()[:2] == ["eks-prod", "gone"]
            table._move_to(table.keys().index("small"))
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen)
                                  and app.cluster is not None
                                  and app.cluster.context.name == "small")
            await command(pilot, "fleet find api deploy")
            assert await wait_for(pilot, lambda: isinstance(app.screen, FleetFindScreen)
                                  and not app.screen.waiting)
            find = app.screen
            assert "found in" in str(find.query_one("#fleetfind-title").render())
            rows = {k: find.table.row(k)[0] for k in find.table.keys()}
            assert rows["small|Deployment|default/api"][4] == "2/2 ready" or \
                small.get("Deployment", "default", "api")["status"].get("readyReplicas") != 2
            assert rows["gone|!"][3].startswith("could not look: cannot reach")
            assert rows["eks-prod|!"][3].startswith("could not look: exec plugin")
            find.table._move_to(find.table.keys().index("small|Deployment|default/api"))
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen)
                                  and app.browser.state.kind == "Deployment"
                                  and app.browser.table.cursor_key == "default/api")
            await command(pilot, "fleet")  # the same fleet, still live
            assert await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
            assert app.screen is screen
    finally:
        app.shutdown()
    assert app.fleet is None


def test_find_in_a_restricted_context_says_where_it_looked(fleet_files):
    from kubetui.kube.client import KubeClient
    from kubetui.kube.fleet_find import Query, find_in

    paths, _, shop = fleet_files
    client = KubeClient.connect(load_kubeconfig(paths), "shop-dev")
    try:
        answer = find_in(client, "shop-dev", Query("frontend", None, ("Deployment",)))
    finally:
        client.close()
    assert answer.scoped == {"deployments": "shop"}
    assert [(f.namespace, f.name) for f in answer.found] == [
        (d["metadata"]["namespace"], d["metadata"]["name"])
        for d in shop.list("Deployment", "shop") if d["metadata"]["name"] == "frontend"]


@pytest.mark.asyncio
async def test_fleet_lint_counts_each_cluster_and_opens_its_lint(fleet_files, notes):
    from kubetui.diagnose.lint import LintConfig
    from kubetui.kube.client import KubeClient
    from kubetui.kube.fleet_find import lint_in
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.screens.fleet_find import FleetLintScreen
    from kubetui.ui.screens.lint import LintScreen

    paths, _, _ = fleet_files
    kc = load_kubeconfig(paths)
    app = KubetuiApp(kc, Settings(context="small"))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.cluster is not None)
            await command(pilot, "fleet lint")
            assert await wait_for(pilot, lambda: isinstance(app.screen, FleetLintScreen)
                                  and not app.screen.waiting, tries=600)
            screen = app.screen
            rows = {k.split("|")[0]: screen.table.row(k)[0] for k in screen.table.keys()}
            client = KubeClient.connect(kc, "demo")
            try:
                direct = lint_in(client, "demo", LintConfig())
            finally:
                client.close()
            # the demo's footguns, counted as a lint of that cluster alone counts them
            # (the demo is settled: its objects do not change between the two looks)
            assert int(rows["demo"][1]) == direct["severity"].get("error", 0)
            assert int(rows["demo"][2]) == direct["severity"].get("warning", 0) > 0
            assert rows["gone"][3].startswith("could not look: cannot reach")
            assert rows["eks-prod"][3].startswith("could not look: exec plugin")
            screen.table._move_to(screen.table.keys().index(
                next(k for k in screen.table.keys() if k.startswith("demo|"))))
            await pilot.press("enter")
            assert await wait_for(pilot, lambda: isinstance(app.screen, LintScreen)
                                  and app.cluster.context.name == "demo")
    finally:
        app.shutdown()


def test_the_fleet_flag_starts_on_the_fleet():
    from kubetui.cli import _parser
    assert _parser().parse_args(["--fleet"]).fleet is True
    assert _parser().parse_args([]).fleet is False


def test_a_context_that_never_answers_delays_no_other_row(fleet_files, tmp_path):
    paths, small, _ = fleet_files
    silent = socket.socket()  # listens (connections are made) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        doc = {"apiVersion": "v1", "kind": "Config",
               "clusters": [{"name": "silent", "cluster": {
                   "server": f"http://127.0.0.1:{silent.getsockname()[1]}"}}],
               "users": [{"name": "u", "user": {}}],
               "contexts": [{"name": "silent", "context": {"cluster": "silent",
                                                           "user": "u"}}]}
        path = tmp_path / "cluster-silent"
        path.write_text(yaml.safe_dump(doc))
        fleet = Fleet(load_kubeconfig([str(path), paths[1]])).start()
        try:
            rows = wait_until(lambda: (r := rows_by_name(fleet))["small"].state == REACHABLE
                              and not r["small"].unknown and r, timeout=20)
            assert rows["silent"].state == "connecting"  # still waiting for its answer
            row = wait_until(lambda: (r := rows_by_name(fleet)["silent"]).state ==
                             UNREACHABLE and r, timeout=30)
            assert "did not answer in time" in row.reason
        finally:
            fleet.stop()
    finally:
        silent.close()


def test_a_context_naming_a_missing_cluster_is_a_kubeconfig_error(tmp_path):
    from kubetui.kube.fleet import CONFIG_ERROR
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
           "contexts": [{"name": "orphan", "context": {"cluster": "nowhere", "user": "u"}}]}
    path = tmp_path / "cluster-orphan"
    path.write_text(yaml.safe_dump(doc))
    fleet = Fleet(load_kubeconfig([str(path)])).start()
    try:
        row = wait_until(lambda: (r := fleet.rows()[0]).state == CONFIG_ERROR and r)
        assert 'names cluster "nowhere"' in row.reason and row.nodes_total is None
    finally:
        fleet.stop()


def test_requests_count_what_nodes_hold_as_the_scheduler_counts_it():
    """CPU/memory requested against allocatable (as `kubectl describe node` adds them up):
    a pod no node holds takes nothing from any; a pod's request is its containers' sum,
    or its largest init container when that is more."""
    import orjson

    from kubetui.kube.fleet_slim import PODS

    def pod(name, node, containers, inits=()):
        def c(cpu):
            return {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}
        return {"metadata": {"namespace": "x", "name": name},
                "spec": {"nodeName": node, "containers": [c(v) for v in containers],
                         "initContainers": [c(v) for v in inits]},
                "status": {"phase": "Running" if node else "Pending"}}
    doc = {"metadata": {}, "items": [pod("placed", "n1", ["250m"]),
                                     pod("unplaced", None, ["64"]),
                                     pod("init-heavy", "n1", ["100m"], ["2"])]}
    rows = dict(PODS.page(orjson.dumps(doc))[0])
    cpu = {k.split("/")[1]: v[4] for k, v in rows.items()}
    assert cpu == {"placed": 250, "unplaced": 0, "init-heavy": 2000}


def test_find_by_image_pages_through_every_workload_and_skips_owned_pods(
        fleet_files, sim, monkeypatch):
    """Which clusters run image X: matched here (the server cannot select by image),
    through every page, a pod a controller owns found through its controller."""
    from kubetui.kube import fleet_find
    from kubetui.kube.client import KubeClient
    from kubetui.kube.fleet_find import IMAGE_KINDS, Query, find_in, summary
    from kubetui.ui.screens.fleet_find import parse_find

    assert parse_find(["--image", "nginx", "deploy"])[0] == Query(
        None, None, ("Deployment",), "nginx")
    assert parse_find(["image=redis"])[0].kinds == IMAGE_KINDS
    assert parse_find(["--image"])[0] is None
    monkeypatch.setattr(fleet_find, "LIMIT", 3)  # pages of 3: every page must be read
    image = next(c["image"] for d in sim.list("Deployment", None)
                 for c in d["spec"]["template"]["spec"]["containers"])
    expected = sorted(
        (kind, o["metadata"]["namespace"], o["metadata"]["name"])
        for kind in IMAGE_KINDS for o in sim.list(kind, None)
        if image in summary(kind, o)[1] and not (
            kind == "Pod" and o["metadata"].get("ownerReferences")))
    assert len(expected) >= 1
    paths, _, _ = fleet_files
    client = KubeClient.connect(load_kubeconfig(paths), "demo")
    try:
        answer = find_in(client, "demo", Query(None, None, IMAGE_KINDS, image))
    finally:
        client.close()
    assert not answer.failed and not answer.more
    assert sorted((f.kind, f.namespace, f.name) for f in answer.found) == expected
    assert all(image in f.images for f in answer.found)


def test_an_unreachable_context_logs_its_traceback_once_an_outage(tmp_path, caplog,
                                                                  monkeypatch):
    """A context on a closed port is retried with backoff for as long as kubetui runs:
    its failure is logged at ERROR with the traceback once, the retries after it only at
    DEBUG with a count, and its coming back at INFO. Then its watches, cut by the server
    going down, do the same."""
    import logging

    from kubetui.kube.fleet import ContextSource
    from kubetui.kube.fleet_watch import SlimWatch

    monkeypatch.setattr(ContextSource, "backoff_scale", 0.02)  # (retries in ms, not s)
    monkeypatch.setattr(SlimWatch, "backoff_base", 0.02)
    caplog.set_level(logging.DEBUG, "kubetui.fleet")
    port = closed_port()
    path = tmp_path / "cluster-later"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "later", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "later", "context": {"cluster": "later", "user": "u"}}]}))

    def records(level: int, text: str = "") -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "kubetui.fleet" and r.levelno == level
                and r.getMessage().startswith("fleet later: ") and text in r.getMessage()]
    fleet = Fleet(load_kubeconfig([str(path)])).start()
    later = None
    try:
        wait_until(lambda: len(records(logging.ERROR) + records(logging.DEBUG)) >= 4,
                   timeout=30)  # it failed, and was tried again 3 times
        assert rows_by_name(fleet)["later"].state == UNREACHABLE
        errors = records(logging.ERROR)
        assert len(errors) == 1 and errors[0].exc_info, [r.getMessage() for r in errors]
        assert "connection refused" in errors[0].getMessage()
        assert all(not r.exc_info for r in records(logging.DEBUG))

        later = SimCluster(None, port=port, speed=FAST).start()  # it comes back
        wait_until(lambda: rows_by_name(fleet)["later"].state == REACHABLE, timeout=30)
        back = wait_until(lambda: records(logging.INFO, "works again"))
        assert "failures" in back[0].getMessage() and len(records(logging.ERROR)) == 1

        # its watches, cut when the server goes down, log each failure once too
        def watch_records(level: int) -> list[logging.LogRecord]:
            return [r for r in caplog.records if r.name == "kubetui.fleet" and
                    r.levelno == level and r.getMessage().startswith("later: /api/")]
        wait_until(lambda: all(w.health.state == "live" for p in
                               fleet.sources["later"].parts.values() for w in p.watches))
        later.faults.down(4)
        wait_until(lambda: len(watch_records(logging.DEBUG)) >= 3, timeout=20)  # retried
        wait_until(lambda: len(watch_records(logging.INFO)) >= 3, timeout=30)  # all back
        errors = [r.getMessage() for r in watch_records(logging.ERROR)]
        assert errors and len(errors) == len(set(errors)), errors  # none twice an outage
        assert all(r.exc_info for r in watch_records(logging.ERROR))
    finally:
        fleet.stop()
        if later is not None:
            later.stop()
