"""Marks and bulk actions on the browser: `space` marks the row under the cursor,
`ctrl+space` clears the view's marks; with rows marked, delete, kill, restart and scale
act on every marked row after one confirmation that lists them, and report per object
(failures named with the server's message)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.message import Message

from kubetui.kube.actions import ROLLABLE
from kubetui.ui.actions.acting import SCALABLE, Actions
from kubetui.ui.actions.host import RowHost
from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen

log = logging.getLogger("kubetui.ui")

MARK_BINDINGS = [
    Binding("space", "mark", "Mark", id="browser.mark"),
    # ctrl+space arrives as NUL, which Textual names ctrl+@: bound by both names
    Binding("ctrl+space,ctrl+@", "clear_marks", "Clear marks", show=False,
            id="browser.clear_marks"),
]
PAST = {"delete": "Deleted", "kill": "Killed", "restart": "Restarted", "scale": "Scaled"}


Target = tuple[str, str | None, str]  # kind, namespace, name


class BulkDone(Message):
    """A bulk action ended (its worker posts it to the browser): clear the marks, say it."""

    def __init__(self, summary: str, failed: list[tuple[str, str]],
                 view: tuple[str, str | None]) -> None:
        super().__init__()
        self.summary, self.failed, self.view = summary, failed, view


class BulkActions:
    """The browser's marks and what its writes do with them: the host has the table, its
    marks and the view; `actions` asks, refuses and reports."""

    def __init__(self, host: RowHost, actions: Actions) -> None:
        self.host = host
        self.actions = actions

    def view_id(self) -> tuple[str, str | None]:
        return self.host.state.kind, self.host.state.namespace

    def marked(self) -> list[str]:
        return sorted(self.host.marks.of(self.view_id()))

    def mark(self) -> None:
        host = self.host
        key = host.table.cursor_key
        if key is None or host.group is None or host.group.store.get(key) is None:
            return
        host.marks.toggle(self.view_id(), key)
        host.table.action_cursor(1)  # as in k9s: on to the next row
        host.marks_changed()

    def clear_marks(self) -> None:
        if self.host.marks.clear(self.view_id()):
            self.host.marks_changed(repaint=True)

    # -- bulk
    def _bulk_targets(self, kinds: tuple[str, ...] | None, verb: str) -> list[Target] | None:
        """The marked objects as (kind, namespace, name): None when nothing is marked (the
        key acts on the cursor's row), [] when the bulk action was refused."""
        host = self.host
        keys = self.marked()
        group = host.group
        if not keys or group is None or host.app.cluster is None:
            return None
        kind = host.state.kind
        if kinds is not None and kind not in kinds:
            host.notify(f"{verb} works on {', '.join(k.lower() + 's' for k in kinds)}",
                        severity="warning")
            return []
        if self.actions.refused(f"{verb} {len(keys)} marked {host.plural()}"):
            return []
        targets = []
        for key in keys:
            obj = group.store.get(key)
            if obj is not None:
                meta = obj["metadata"]
                targets.append((kind, meta.get("namespace"), meta["name"]))
        return targets

    def _listing(self, targets: list[Target]) -> str:
        return "\n".join(f"  {ns}/{name}" if ns else f"  {name}" for _, ns, name in targets)

    def _confirm_bulk(self, verb: str, targets: list[Target], call: Callable[..., Any],
                      question: str = "") -> None:
        host = self.host
        what = f"{len(targets)} {host.plural() if len(targets) != 1 else host.state.kind.lower()}"
        view = self.view_id()
        host.app.push_screen(
            ConfirmScreen(question or f"{verb.capitalize()} {what}?", self._listing(targets)),
            lambda ok: self.actions.in_thread(self._act_each, verb, targets, call, view)
            if ok else None)

    def run(self, action: str) -> bool:
        """Run `action` on the marked rows; False when none is marked (act on the row)."""
        kinds = {"delete": None, "kill": ("Pod",), "restart": ROLLABLE,
                 "scale": SCALABLE}[action]
        targets = self._bulk_targets(kinds, action)
        if targets is None:
            return False
        if not targets:
            return True
        actions = self.actions.client()
        if actions is None:
            return True
        plural = self.host.plural()
        if action == "delete":
            self._confirm_bulk("delete", targets, lambda kind, ns, name: actions.delete(
                self.host.kind_of(kind) or kind, ns, name))
        elif action == "kill":
            self._confirm_bulk("kill", targets, lambda kind, ns, name: actions.delete(
                "Pod", ns, name, force=True), f"Kill {len(targets)} pods now (no grace period)?")
        elif action == "restart":
            self._confirm_bulk("restart", targets, actions.restart)
        else:
            def answered(value: str | None) -> None:
                if value:
                    n = int(value)
                    self._confirm_bulk("scale", targets, lambda kind, ns, name: actions.scale(
                        kind, ns, name, n), f"Scale {len(targets)} {plural} to {n}?")
            self.host.app.push_screen(PromptScreen(
                f"Scale {len(targets)} marked {plural} to how many replicas?", "1",
                restrict=r"\d*"), answered)
        return True

    def _act_each(self, verb: str, targets: list[Target], call: Callable[..., Any],
                  view: tuple[str, str | None]) -> None:
        """One call per object; every failure is named with the server's words."""
        from kubetui.kube.actions import ReadOnly
        from kubetui.kube.client import ApiError

        done, failed = [], []
        for kind, ns, name in targets:
            try:
                call(kind, ns, name)
                done.append(name)
            except (ApiError, ReadOnly) as exc:
                log.exception("%s %s %s/%s failed", verb, kind, ns, name)
                failed.append((name, getattr(exc, "message", str(exc))))
            except Exception as exc:  # noqa: BLE001 - worker boundary: say it, go on with the rest
                log.exception("%s %s %s/%s failed", verb, kind, ns, name)
                failed.append((name, f"{type(exc).__name__}: {exc}"))
        kind = targets[0][0].lower() if targets else ""
        summary = f"{PAST[verb]} {len(done)} of {len(targets)} {kind}s" + (
            f": {', '.join(done)}" if done else "")
        self.host.app.actions_log.append((time.time(), "kubetui", summary))
        self.host.post_message(BulkDone(summary, failed, view))  # (the browser's handler)

    def done(self, message: BulkDone) -> None:
        summary, failed, view = message.summary, message.failed, message.view
        self.host.marks.clear(view)
        self.host.marks_changed()
        self.host.notify(summary, timeout=6)
        if failed:
            self.host.notify("Failed:\n" + "\n".join(f"{name}: {why}" for name, why in failed),
                        severity="error", timeout=12)
