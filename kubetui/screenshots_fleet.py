"""The fleet's screenshots (`python -m kubetui.screenshots --only fleet`): the demo
cluster, a second simulated cluster, the demo again as a user who may read `shop` only,
a context on a closed port and one whose exec plugin is not installed, as split
kubeconfig files (`~/.kube/clusters/cluster*`)."""

from __future__ import annotations

import os
import socket
import time

import yaml


def fleet_files(folder: str, demo_kubeconfig: str) -> tuple[list[str], list]:
    from .sim import SimCluster

    with open(demo_kubeconfig) as fh:
        demo = yaml.safe_load(fh)
    demo["contexts"][0]["name"] = demo["current-context"] = "prod-eu"
    paths = [os.path.join(folder, "cluster-prod-eu")]
    with open(paths[0], "w") as fh:
        yaml.safe_dump(demo, fh)
    staging = SimCluster("demo", speed=10, seed=3).start()
    shop = SimCluster("demo", speed=10, seed=5, tls=True).start()
    paths.append(staging.write_kubeconfig(os.path.join(folder, "cluster-staging"),
                                          context="staging"))
    paths.append(shop.write_kubeconfig(os.path.join(folder, "cluster-shop"),
                                       context="shop-dev", user="dev", namespace="shop"))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    other = {"apiVersion": "v1", "kind": "Config",
             "clusters": [{"name": "old", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
             "users": [{"name": "eks", "user": {"exec": {
                 "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                 "args": ["eks", "get-token", "--cluster-name=prod-us"]}}},
                 {"name": "plain", "user": {}}],
             "contexts": [{"name": "prod-us", "context": {"cluster": "old", "user": "eks"}},
                          {"name": "legacy", "context": {"cluster": "old", "user": "plain"}}]}
    paths.append(os.path.join(folder, "cluster-us"))
    with open(paths[-1], "w") as fh:
        yaml.safe_dump(other, fh)
    return paths, [staging, shop]


async def shoot_fleet(demo_kubeconfig: str, folder: str, out: str, size: tuple[int, int],
                      theme: str, suffix: str = "") -> list[str]:
    from .kube.config import load_kubeconfig
    from .ui.app import KubetuiApp, Settings
    from .ui.screens.fleet import FleetScreen

    paths, sims = fleet_files(folder, demo_kubeconfig)
    written = []
    try:
        os.environ["PATH"] = os.environ.get("PATH", "")  # (aws is not installed: said so)
        app = KubetuiApp(load_kubeconfig(paths), Settings(theme=theme, fleet=True))
        async with app.run_test(size=size) as pilot:
            end = time.monotonic() + 20

            def filled() -> bool:
                screen = app.screen
                return isinstance(screen, FleetScreen) and len(screen.rows) == 5 and all(
                    r.state != "connecting" and not any(
                        v == "syncing" for v in r.unknown.values())
                    for r in screen.rows.values())
            while time.monotonic() < end and not filled():
                await pilot.pause(0.1)
            await pilot.pause(3.0)  # the demo's restarts and warnings show
            await pilot.press("S")
            await pilot.pause(0.5)
            name = f"fleet-{theme}{suffix}.svg"
            app.save_screenshot(name, out)
            written.append(os.path.join(out, name))
        app.shutdown()
    finally:
        for sim in sims:
            sim.stop()
    return written
