"""Context switching in the real app: the last choice wins, always. Switching A -> B -> C
where B is slow to connect (its exec credential plugin takes its time, as cloud plugins
do) must end on C, with B's session closed, not on B when it finally connects."""

from __future__ import annotations

import json
import sys
import threading

import pytest
import yaml
from conftest import FAST, wait_for

from kubetui.kube.config import load_kubeconfig
from kubetui.sim import SimCluster
from kubetui.ui.app import KubetuiApp, Settings


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    sims = [SimCluster(None, speed=FAST, name=n).start() for n in ("alpha", "beta", "gamma")]
    yield sims
    for s in sims:
        s.stop()


def slow_plugin_kubeconfig(sim: SimCluster, folder) -> str:
    """A kubeconfig for `sim` whose user's token comes from an exec plugin that waits
    until the test creates `folder/release` (it creates `folder/started` first)."""
    credential = json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1",
                             "kind": "ExecCredential",
                             "status": {"token": sim.auth.admin_token}})
    plugin = folder / "plugin.py"
    plugin.write_text(
        "import pathlib, sys, time\n"
        f"folder = pathlib.Path({str(folder)!r})\n"
        "(folder / 'started').touch()\n"
        "end = time.monotonic() + 60\n"
        "while not (folder / 'release').exists() and time.monotonic() < end:\n"
        "    time.sleep(0.02)\n"
        f"sys.stdout.write({credential!r})\n")
    doc = sim.kubeconfig(sim.name)
    doc["users"][0]["user"] = {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
        "args": [str(plugin)], "interactiveMode": "Never"}}
    path = folder / "config"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


async def test_the_last_context_chosen_wins_even_when_an_earlier_one_connects_later(
        three, tmp_path, notes):
    alpha, beta, gamma = three
    slow = tmp_path / "slow"
    slow.mkdir()
    kc = load_kubeconfig([alpha.write_kubeconfig(str(tmp_path / "a"), "alpha"),
                          slow_plugin_kubeconfig(beta, slow),
                          gamma.write_kubeconfig(str(tmp_path / "c"), "gamma")])
    app = KubetuiApp(kc, Settings(context="alpha"))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            assert await wait_for(pilot, lambda: app.cluster is not None
                                  and app.browser.group is not None
                                  and app.browser.group.synced)
            app.pick_context("beta")  # its plugin now waits
            assert await wait_for(pilot, lambda: (slow / "started").exists())
            app.pick_context("gamma")
            assert await wait_for(pilot, lambda: app.context_info.name == "gamma"
                                  and app.browser.group is not None
                                  and app.browser.group.synced)
            before = {t for t in threading.enumerate() if t.name.startswith("informer ")}
            (slow / "release").touch()  # beta connects now, after gamma
            assert await wait_for(pilot, lambda: app.context_info.name == "beta"
                                  or app.discarded_connects == 1)
            assert app.context_info.name == "gamma"
            assert app.cluster.context.name == "gamma"
            assert app.cluster.client.server == gamma.url
            assert app.browser.group in app.cluster.groups.values()
            # beta's session started no watch and is closed: an informer thread that
            # came since is gamma's (its live lint may still be starting its kinds'
            # informers: CI saw five of them come after `before` under load)
            now = {t for t in threading.enumerate() if t.name.startswith("informer ")}
            gammas = {i._thread for g in app.cluster.groups.values() for i in g.informers}
            assert now - before <= gammas
            assert notes.errors() == []
    finally:
        app.shutdown()
