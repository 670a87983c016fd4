"""Marks and bulk actions on the browser: `space` marks the row under the cursor,
`ctrl+space` clears the view's marks; with rows marked, delete, kill, restart and scale
act on every marked row after one confirmation that lists them, and report per object
(failures named with the server's message)."""

from __future__ import annotations

import logging
import time

from textual import work
from textual.binding import Binding

from kubetui.kube.actions import ROLLABLE
from kubetui.ui.actions.acting import SCALABLE
from kubetui.ui.actions.marks import Marks
from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen

log = logging.getLogger("kubetui.ui")

MARK_BINDINGS = [
    Binding("space", "mark", "Mark", id="browser.mark"),
    # ctrl+space arrives as NUL, which Textual names ctrl+@: bound by both names
    Binding("ctrl+space,ctrl+@", "clear_marks", "Clear marks", show=False,
            id="browser.clear_marks"),
]
PAST = {"delete": "Deleted", "kill": "Killed", "restart": "Restarted", "scale": "Scaled"}


class BulkKeys:
    """Mixed into the browser screen (with ActionKeys): needs `state`, `table`, `group`,
    `_actions()`, `_refused()`, `_kind_of()`."""

    marks: Marks

    def _view_id(self) -> tuple[str, str | None]:
        return self.state.kind, self.state.namespace

    def marked(self) -> list[str]:
        return sorted(self.marks.of(self._view_id()))

    def action_mark(self) -> None:
        key = self.table.cursor_key
        if key is None or self.group is None or self.group.store.get(key) is None:
            return
        self.marks.toggle(self._view_id(), key)
        self.table.refresh()
        self.table.action_cursor(1)  # as in k9s: on to the next row
        self._header_inputs = ()

    def action_clear_marks(self) -> None:
        if self.marks.clear(self._view_id()):
            self.table.refresh()
            self._header_inputs = ()
            self._paint_header()

    # -- bulk
    def _bulk_targets(self, kinds: tuple[str, ...] | None, verb: str):
        """The marked objects as (kind, namespace, name): None when nothing is marked (the
        key acts on the cursor's row), [] when the bulk action was refused."""
        keys = self.marked()
        if not keys or self.group is None or self.app.cluster is None:
            return None
        kind = self.state.kind
        if kinds is not None and kind not in kinds:
            self.notify(f"{verb} works on {', '.join(k.lower() + 's' for k in kinds)}",
                        severity="warning")
            return []
        if self._refused(f"{verb} {len(keys)} marked {self._plural()}"):
            return []
        targets = []
        for key in keys:
            obj = self.group.store.get(key)
            if obj is not None:
                meta = obj["metadata"]
                targets.append((kind, meta.get("namespace"), meta["name"]))
        return targets

    def _listing(self, targets) -> str:
        return "\n".join(f"  {ns}/{name}" if ns else f"  {name}" for _, ns, name in targets)

    def _confirm_bulk(self, verb: str, targets, call, question: str = "") -> None:
        what = f"{len(targets)} {self._plural() if len(targets) != 1 else self.state.kind.lower()}"
        self.app.push_screen(
            ConfirmScreen(question or f"{verb.capitalize()} {what}?", self._listing(targets)),
            lambda ok: self._act_each(verb, targets, call, self._view_id()) if ok else None)

    def bulk(self, action: str) -> bool:
        """Run `action` on the marked rows; False when none is marked (act on the row)."""
        kinds = {"delete": None, "kill": ("Pod",), "restart": ROLLABLE,
                 "scale": SCALABLE}[action]
        targets = self._bulk_targets(kinds, action)
        if targets is None:
            return False
        if not targets:
            return True
        actions = self._actions()
        if action == "delete":
            self._confirm_bulk("delete", targets, lambda kind, ns, name: actions.delete(
                self._kind_of(kind), ns, name))
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
                        kind, ns, name, n), f"Scale {len(targets)} {self._plural()} to {n}?")
            self.app.push_screen(PromptScreen(
                f"Scale {len(targets)} marked {self._plural()} to how many replicas?", "1",
                restrict=r"\d*"), answered)
        return True

    @work(thread=True, group="action", exit_on_error=False)
    def _act_each(self, verb: str, targets, call, view) -> None:
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
            except Exception as exc:  # the boundary: say it, keep going with the rest
                log.exception("%s %s %s/%s failed", verb, kind, ns, name)
                failed.append((name, f"{type(exc).__name__}: {exc}"))
        kind = targets[0][0].lower() if targets else ""
        summary = f"{PAST[verb]} {len(done)} of {len(targets)} {kind}s" + (
            f": {', '.join(done)}" if done else "")
        self.app.actions_log.append((time.time(), "kubetui", summary))
        self.app.call_from_thread(self._bulk_done, summary, failed, view)

    def _bulk_done(self, summary: str, failed, view) -> None:
        self.marks.clear(view)
        self.table.refresh()
        self._header_inputs = ()
        self.notify(summary, timeout=6)
        if failed:
            self.notify("Failed:\n" + "\n".join(f"{name}: {why}" for name, why in failed),
                        severity="error", timeout=12)
