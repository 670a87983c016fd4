"""`python -m kubetui.screenshots [--out screenshots] [--size 160x48]`: drive the real
app against the demo cluster at a fixed terminal size and write `screenshots/*.svg`,
one per main view, in the default theme and in the light one, and the most used views
again at 80x24 (`*-80x24.svg`). Rerun it whenever a view
changes; the README shows the results."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time

THEMES = ("k9s", "kubetui-light")


NARROW = ("pods", "deployments", "logs-deployment", "architecture", "checklist",
          "portforwards", "aliases", "drain")
# what the edit screenshot's editor does (headless: a command, not a terminal editor)
EDIT_SCRIPT = "sed -i 's/^  replicas: .*/  replicas: 2/'"


def busiest_worker(client) -> str:
    """The node with the most pods a drain would evict."""
    counts: dict[str, int] = {}
    for pod in client.get_json("/api/v1/pods").get("items") or ():
        refs = pod["metadata"].get("ownerReferences") or ()
        node = (pod.get("spec") or {}).get("nodeName")
        if node and "control-plane" not in node and not any(
                r.get("kind") == "DaemonSet" for r in refs):
            counts[node] = counts.get(node, 0) + 1
    return max(sorted(counts), key=lambda n: counts[n])


async def _shoot(kubeconfig: str, out: str, size: tuple[int, int], theme: str,
                 suffix: str = "", only: tuple[str, ...] | None = None) -> list[str]:
    from kubetui.ui.app import KubetuiApp, Settings
    from kubetui.ui.screens.aliases import AliasesScreen
    from kubetui.ui.screens.arch import ArchScreen, ArchView
    from kubetui.ui.screens.checklist import ChecklistScreen
    from kubetui.ui.screens.drain import DrainScreen
    from kubetui.ui.screens.exec import CommandInput, ExecScreen
    from kubetui.ui.screens.lint import FixScreen, LintScreen
    from kubetui.ui.screens.logs import LogScreen
    from kubetui.ui.screens.modals import ConfirmScreen
    from kubetui.ui.screens.object import ObjectScreen
    from kubetui.ui.screens.rollout import RolloutScreen
    from kubetui.ui.screens.timeline import TimelineScreen
    from kubetui.ui.screens.xray import XrayScreen

    from .kube.config import load_kubeconfig

    written: list[str] = []
    app = KubetuiApp(load_kubeconfig([kubeconfig]), Settings(theme=theme))

    async def settle(pilot, predicate, seconds: float = 10) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not predicate():
            await pilot.pause(0.1)
        await pilot.pause(0.4)

    def shot(name: str) -> None:
        if only is not None and name not in only:
            return
        filename = f"{name}-{theme}{suffix}.svg"
        app.save_screenshot(filename, out)
        written.append(os.path.join(out, filename))

    async def command(pilot, text: str) -> None:
        await pilot.press("colon", *text, "enter")

    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: getattr(app, "_browser", None) is not None
                     and app.browser.ready and app.browser.table.row_count > 30
                     and app.browser.header.lint_flag is not None)  # the lint's markers too
        await pilot.pause(1.0)
        shot("pods")
        await command(pilot, "deploy")
        await settle(pilot, lambda: app.browser.table.row_count > 10
                     and app.browser.header.lint_flag is not None)
        shot("deployments")
        await command(pilot, "no")
        await settle(pilot, lambda: app.browser.table.row_count == 3)
        shot("nodes")
        await pilot.press("slash", *"^kubetui-worker$", "enter")  # its pods and their sums
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ObjectScreen)
                     and "Allocated resources:" in app.screen.text())
        described = app.screen
        assert isinstance(described, ObjectScreen)  # (settled on it)
        lines = described.text().split("\n")
        start = next((i for i, line in enumerate(lines) if line.startswith("PodCIDR")), 0)
        app.screen.query_one("#object-body").scroll_to(y=start, animate=False, immediate=True)
        await pilot.pause(0.3)
        shot("describe-node")
        await pilot.press("escape")
        await pilot.press("slash", "enter")  # the filter cleared again
        await command(pilot, "po")
        await pilot.press("slash", *"settlement", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ObjectScreen))
        shot("describe-pod")
        await pilot.press("escape")
        await command(pilot, "secret")
        await pilot.press("slash", *"payments-db", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ObjectScreen))
        shot("yaml-secret-masked")
        await pilot.press("escape")
        await command(pilot, "deploy")
        await pilot.press("slash", *"^frontend$", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("l")
        await settle(pilot, lambda: isinstance(app.screen, LogScreen), 3)
        await pilot.pause(2.5)
        shot("logs-deployment")
        await pilot.press("escape")
        await pilot.press("r")  # restart: the cockpit opens and shows the roll
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 3)
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, RolloutScreen)
                     and app.screen.model is not None and len(app.screen.model.groups) == 2
                     and app.screen.model.groups[0].pods, 10)
        shot("rollout-cockpit")
        await settle(pilot, lambda: isinstance(app.screen, RolloutScreen) and
                     app.screen.model is not None and app.screen.model.state == "rolled out", 20)
        await pilot.press("escape")
        await command(pilot, "po")
        await pilot.press("slash", *"^redis-", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ExecScreen) and app.screen.query(
            CommandInput), 3)
        for text in ("cat /etc/resolv.conf", "ls /nonexistent"):
            app.screen.query_one(CommandInput).value = text
            await pilot.press("enter")
            await settle(pilot, lambda: isinstance(app.screen, ExecScreen) and
                         not app.screen.running, 5)
        shot("exec-one-shot")
        await pilot.press("escape")
        await command(pilot, "po")  # the architecture view, cursor on the crash loop
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, ArchScreen) and app.screen.query_one(
            ArchView).model is not None and app.screen.query_one(ArchView).model.nodes)  # type: ignore[union-attr]
        await pilot.pause(1.0)
        view = app.screen.query_one(ArchView)
        target = next((i for i, (_, _, c) in enumerate(view.layout_.cells)
                       if c.name.startswith("settlement-")), 0)
        view._select(target)
        await pilot.pause(0.3)
        shot("architecture")
        await pilot.press("enter")  # its checklist
        await settle(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                     and app.screen.checklist is not None)
        await pilot.pause(0.3)
        shot("checklist")
        await pilot.press("t")  # the timeline of the checklist's workload
        await settle(pilot, lambda: isinstance(app.screen, TimelineScreen)
                     and app.screen.timeline is not None)
        await pilot.pause(0.3)
        shot("timeline")
        await pilot.press("escape")
        await pilot.press("escape", "escape")
        await command(pilot, "xray deploy")
        await settle(pilot, lambda: isinstance(app.screen, XrayScreen) and app.screen.roots)
        await pilot.pause(0.5)
        shot("xray")
        await pilot.press("escape")
        await command(pilot, "lint")  # the footguns, the cursor on a stale config
        await settle(pilot, lambda: isinstance(app.screen, LintScreen) and any(
            f.rule == "stale-config" for f in app.screen.findings), 20)
        assert isinstance(app.screen, LintScreen)
        table = app.screen.table
        keys = table.keys()
        table._move_to(next((i for i, k in enumerate(keys) if k.startswith("stale-config|")), 1))
        await pilot.pause(0.5)
        shot("lint")
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, FixScreen))
        shot("lint-fix")
        await pilot.press("escape", "escape")
        await command(pilot, "po")  # marks, and one confirmation for the marked rows
        await pilot.press("slash", *"^frontend-", "enter")
        await settle(pilot, lambda: app.browser.table.row_count >= 3)
        await pilot.press("space", "space")
        await pilot.pause(0.3)
        shot("pods-marked")
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 3)
        shot("bulk-confirm")
        await pilot.press("n", "ctrl+space")
        await command(pilot, "deploy")  # edit: the dry run's diff before the write
        await pilot.press("slash", *"^redis$", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        os.environ["KUBE_EDITOR"] = EDIT_SCRIPT
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10)
        shot("edit-diff")
        await pilot.press("n")
        await command(pilot, "cj")  # t on a cron job: a job now, from its template
        await settle(pilot, lambda: app.browser.table.row_count >= 1)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5)
        shot("cronjob-trigger")
        await pilot.press("n")
        assert app.cluster is not None
        node = busiest_worker(app.cluster.client)  # a drain, a budget holding a pod back
        await command(pilot, "no")
        await pilot.press("slash", *f"^{node}$", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 1)
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10)
        shot("drain-confirm")
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, DrainScreen) and (
            any(p.state == "blocked" for p in app.screen.drain.pods) or app.screen.done), 30)
        await pilot.pause(1.0)
        shot("drain")
        await pilot.press("escape")
        await pilot.press("u")  # uncordon again, for the next run
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 3)
        await pilot.press("y")
        await pilot.pause(0.5)
        await command(pilot, "deploy")
        await pilot.press("question_mark")
        await pilot.pause(0.5)
        shot("help")
        await pilot.press("escape")
        await _forwards(app, pilot, command, settle)
        shot("portforwards")
        await pilot.press("escape")
        await pilot.press("ctrl+a")
        await settle(pilot, lambda: isinstance(app.screen, AliasesScreen))
        shot("aliases")
        await pilot.press("escape")
        await command(pilot, "po")  # s on an image with no shell: the debug container
        await pilot.press("slash", *"^cart-", "enter")
        await settle(pilot, lambda: app.browser.table.row_count == 2)
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10)
        shot("debug-container-offer")
        await pilot.press("n")
    app.shutdown()
    return written


async def _forwards(app, pilot, command, settle) -> None:
    """shift-f on a service, a redis pod and a pod the sim refuses; a little traffic
    through each; then `:pf` with the cursor on the refused one (its error in full)."""
    import socket
    import urllib.request

    from kubetui.ui.screens.modals import PromptScreen
    from kubetui.ui.screens.portforward import PortForwardScreen

    for kind, pattern in (("svc", "^frontend$"), ("po", "^redis-"), ("po", "^cart-")):
        await command(pilot, kind)
        await pilot.press("slash", *pattern, "enter")
        await settle(pilot, lambda: 0 < app.browser.table.row_count <= 2)
        count = len(app.forwards.forwards)
        await pilot.press("F")
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen), 5)
        await pilot.press("enter")
        await settle(pilot, lambda n=count: len(app.forwards.forwards) > n, 5)
    web, redis, cart = app.forwards.forwards[-3:]

    def traffic() -> None:
        for _ in range(3):
            with urllib.request.urlopen(f"http://{web.local}/", timeout=10) as resp:
                resp.read()
        with socket.create_connection(("127.0.0.1", redis.local_port), timeout=10) as s:
            s.sendall(b"PING\r\n")
            s.recv(100)
        with socket.create_connection(("127.0.0.1", cart.local_port), timeout=10) as s:
            s.recv(100)
    await asyncio.to_thread(traffic)
    await settle(pilot, lambda: cart.last_error != "", 5)
    await command(pilot, "pf")
    await settle(pilot, lambda: isinstance(app.screen, PortForwardScreen)
                 and app.screen.table.row_count == 3, 5)
    app.screen.table._move_to(2)
    await pilot.pause(0.6)


def sample_report(kubeconfig: str, path: str) -> None:
    """What `kubetui report deploy/settlement -n payments` writes, for the README."""
    from .kube.client import KubeClient
    from .kube.config import load_kubeconfig
    from .kube.incident import gather_incident
    from .render.report import commands_for, incident_markdown
    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    try:
        incident = gather_incident(client, "deploy/settlement", "payments")
    finally:
        client.close()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(incident_markdown(incident, commands_for(incident)))
    print(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kubetui.screenshots", description=__doc__)
    p.add_argument("--out", default="screenshots", help="folder for the SVGs")
    p.add_argument("--size", default="160x48", help="terminal size, COLSxROWS")
    p.add_argument("--only", default="", help="only these shots, comma-separated "
                                               "(e.g. portforwards,aliases)")
    args = p.parse_args(argv)
    only = tuple(args.only.split(",")) if args.only else None
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    os.makedirs(args.out, exist_ok=True)
    from .sim import SimCluster

    with tempfile.TemporaryDirectory(prefix="kubetui-shots-") as folder:
        sim = SimCluster("demo", speed=10, seed=7).start()
        try:
            kubeconfig = sim.write_kubeconfig(os.path.join(folder, "kubeconfig"))
            time.sleep(6)  # let the demo's problems show (crash loops, pull back-off)
            for theme in THEMES:
                for path in asyncio.run(_shoot(kubeconfig, args.out, (cols, rows), theme,
                                               only=only)):
                    print(path)
            if only is None or "fleet" in only:  # (screenshots_fleet.py)
                from .screenshots_fleet import shoot_fleet
                for size, suffix in (((cols, rows), ""), ((80, 24), "-80x24")):
                    for path in asyncio.run(shoot_fleet(kubeconfig, folder, args.out, size,
                                                        THEMES[0], suffix)):
                        print(path)
            if only is None:
                sample_report(kubeconfig, os.path.join(args.out, "incident-report-sample.md"))
            # the views people open most, in the smallest common terminal
            narrow = NARROW if only is None else tuple(n for n in NARROW if n in only)
            for path in asyncio.run(_shoot(kubeconfig, args.out, (80, 24), THEMES[0],
                                           "-80x24", narrow)):
                print(path)
        finally:
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
