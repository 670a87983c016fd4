"""`e` edits the selected object in $KUBE_EDITOR / $EDITOR / vi, as kubectl edit does
(kube/edit.py holds the rules): the app steps aside while the editor runs; on save a
server-side dry run, the diff, one confirmation, then the write at the version read. A
conflict or an invalid object reopens the editor with a comment saying why.
`:apply FILE|DIR` applies manifests server-side after a dry-run diff of each object.
Both are writes: refused in read-only mode."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import threading
import time
from typing import TYPE_CHECKING

from textual.binding import Binding

from kubetui.ui.actions.rows import RowActions
from kubetui.ui.screens.modals import ConfirmScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from kubetui.kube.kinds import Kind

log = logging.getLogger("kubetui.ui")

EDIT_BINDINGS = [Binding("e", "edit", "Edit", id="action.edit")]


class EditActions:
    """`e` on the browser's selected row, and `:apply`."""

    def __init__(self, rows: RowActions) -> None:
        self.rows = rows
        self.host = rows.host
        self.actions = rows.actions

    def edit(self) -> None:
        target = self.rows.target(None, "edit")
        if target is None:
            return
        kind, ns, name = target
        api_kind = self.host.kind_of(kind)
        if api_kind is not None:
            self.actions.in_thread(self._edit, api_kind, ns, name, group="edit",
                                   exclusive=True)

    # -- the editor, on the UI thread (the app steps aside), or in the worker when
    # headless (no terminal to hand over: tests give KUBE_EDITOR a script)
    def _run_editor(self, path: str) -> int:
        from kubetui.kube.edit import editor_command
        argv = [*editor_command(), path]
        if self.host.app.is_headless:
            return subprocess.run(argv, check=False).returncode
        with self.host.app.suspend():
            return subprocess.run(argv, check=False).returncode

    def _editor(self, path: str) -> int:
        if self.host.app.is_headless:
            return self._run_editor(path)
        return self.host.app.call_from_thread(self._run_editor, path)  # waits for its exit code

    def _ask(self, question: str, detail: str) -> bool:
        """A confirmation from a worker: waits for the answer (no if the app goes)."""
        answer: list[bool] = []
        done = threading.Event()
        app = self.host.app

        def answered(ok: bool | None) -> None:
            answer.append(bool(ok))
            done.set()
        # direct: this worker waits for the answer below
        app.call_from_thread(app.push_screen, ConfirmScreen(question, detail, diff=True),
                             answered)
        while not done.wait(0.2):
            if not app.is_running:
                return False
        return answer[0]

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        self.actions.say(message, severity=severity, timeout=8 if severity == "error" else 5)

    def _edit(self, kind: Kind, ns: str | None, name: str) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.kube.edit import Edit, Unchanged, diff
        cluster = self.host.app.cluster
        if cluster is None:
            return
        session = Edit(cluster.client, kind, ns, name)
        try:
            session.load()
        except ApiError as exc:
            log.exception("cannot read %s %s for editing", kind.kind, name)
            self._say(f"cannot edit {kind.kind.lower()} {name}: {exc.message}", "error")
            return
        fd, path = tempfile.mkstemp(prefix=f"kubetui-edit-{name}-", suffix=".yaml")
        os.close(fd)
        try:
            while True:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(session.text)
                code = self._editor(path)
                if code != 0:
                    self._say(f"the editor exited with code {code}: edit cancelled",
                              "warning")
                    return
                with open(path, encoding="utf-8") as fh:
                    saved = fh.read()
                try:
                    checked = session.check(saved)
                    if checked is None:
                        continue  # reopened with the reason at the top
                    edited, result = checked
                    if not self._ask(f"Apply this change to {kind.kind.lower()} {name}? "
                                     "(the server's dry run of it)",
                                     diff(session.obj, result) or "(no change the server "
                                                                  "keeps)"):
                        self._say("Edit discarded, no changes made.")
                        return
                    if session.save(edited) is None:
                        continue  # changed meanwhile: reopened with the new version
                except Unchanged as exc:
                    self._say(str(exc))
                    return
                except ApiError as exc:
                    log.exception("the edit of %s %s failed", kind.kind, name)
                    self._say(f"cannot edit {kind.kind.lower()} {name}: {exc.message}",
                              "error")
                    return
                self.host.app.actions_log.append((time.time(), "kubetui",
                                             f"Edited {kind.kind.lower()} {name}"))
                self._say(f"{kind.kind.lower()} {name} edited")
                return
        except Exception as exc:  # noqa: BLE001 - worker boundary: no editor, a full disk
            log.exception("the edit of %s %s failed", kind.kind, name)
            self._say(f"cannot edit {kind.kind.lower()} {name}: {type(exc).__name__}: {exc}",
                      "error")
        finally:
            os.unlink(path)

    # -- :apply
    def apply_manifests(self, target: str) -> None:
        if self.actions.refused(f"apply {target}"):
            return
        if not target:
            self.host.notify(":apply needs a file or a folder of manifests",
                             severity="warning")
            return
        self.actions.in_thread(self._plan_apply, target, self.host.active_namespace or
                               "default", group="edit", exclusive=True)

    def _plan_apply(self, target: str, namespace: str) -> None:
        from kubetui.kube.client import ApiError
        from kubetui.kube.edit import apply, diff, manifests, plan_apply
        cluster = self.host.app.cluster
        if cluster is None:
            return
        client = cluster.client
        try:
            planned = plan_apply(client, manifests(target), namespace)
        except ApiError as exc:
            log.exception("the dry run of %s failed", target)
            self._say(f"cannot apply {target}: {exc.message}", "error")
            return
        except Exception as exc:  # noqa: BLE001 - unreadable file, bad YAML, unknown kind
            log.exception("cannot read %s", target)
            self._say(f"cannot apply {target}: {exc}", "error")
            return
        if not planned:
            self._say(f"{target}: no objects to apply", "warning")
            return
        detail = "\n".join(
            f"# {p.label}: " + ("created" if p.live is None else "configured") + "\n" +
            (diff(p.live, p.result) if p.live is not None else diff({}, p.result))
            for p in planned)
        if not self._ask(f"Apply {len(planned)} object(s) from {target} (server-side, "
                         "field manager kubetui)?", detail):
            return
        done, failed = [], []
        for p in planned:
            try:
                apply(client, p)
                done.append(p.label)
            except ApiError as exc:
                log.exception("cannot apply %s", p.label)
                failed.append(f"{p.label}: {exc.message}")
        self._say(f"Applied {len(done)} of {len(planned)}: " + ", ".join(done))
        if failed:
            self._say("Failed:\n" + "\n".join(failed), "error")
