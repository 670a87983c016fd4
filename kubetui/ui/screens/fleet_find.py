"""`:fleet find NAME|-l SELECTOR|--image IMAGE [KIND]`: the matching objects in every context (each
context answers as soon as it can; one that cannot be looked at says why), `enter`
opens the object in its context. `:fleet lint`: the footgun lint's counts per cluster,
`enter` switches there and opens `:lint`."""

from __future__ import annotations

import logging
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from kubetui.kube.fleet_find import (
    DEFAULT_KINDS,
    IMAGE_KINDS,
    Answer,
    Found,
    LintCounts,
    Query,
    everywhere,
    find_in,
    lint_in,
)
from kubetui.kube.kinds import KINDS

from ..navigation import ViewState, kind_for
from ..widgets.footer import Footer
from ..widgets.resource_table import ResourceTable
from .base import KubetuiScreen

log = logging.getLogger("kubetui.ui")
FIND_USAGE = ("fleet find what? :fleet find NAME [KIND], :fleet find -l SELECTOR [KIND] or "
              ":fleet find --image IMAGE [KIND]")


def parse_find(words: list[str]) -> tuple[Query | None, str]:
    """(the query, or None and what is wrong) of the words after `:fleet find`."""
    if not words:
        return None, FIND_USAGE
    name = selector = image = None
    if words[0] in ("--image", "-i"):
        if len(words) < 2:
            return None, FIND_USAGE
        image, rest = words[1], words[2:]
    elif words[0].startswith("image="):
        image, rest = words[0][len("image="):], words[1:]
    elif words[0] == "-l":
        if len(words) < 2:
            return None, FIND_USAGE
        selector, rest = words[1], words[2:]
    elif words[0].startswith("-l"):
        selector, rest = words[0][2:], words[1:]
    else:
        name, rest = words[0], words[1:]
    if image == "":
        return None, FIND_USAGE
    kinds: tuple[str, ...] = IMAGE_KINDS if image else DEFAULT_KINDS
    if rest:
        kind = kind_for(rest[0])
        if kind is None or kind not in KINDS:
            return None, f"fleet find: unknown kind {rest[0]}"
        kinds = (kind,)
    return Query(name, selector, kinds, image), ""


def _client_for(app):
    """The fleet's connected client of a context, if the fleet runs (no second exec
    plugin run, no second connection)."""
    fleet = getattr(app, "fleet", None)

    def lend(name: str):
        source = fleet.sources.get(name) if fleet is not None else None
        return source.client if source is not None and not source.connect_error else None
    return lend


def open_in_context(app, context: str, state: ViewState | None = None, then=None) -> None:
    """Show `state` in the browser of `context` (switching to it first if need be),
    then run `then()`. The screens over the browser close."""
    while len(app.screen_stack) > 1 and app.screen is not app.browser:
        app.pop_screen()
    started = time.monotonic()

    def arrive() -> bool:
        cluster = app.cluster
        if cluster is None or cluster.context.name != context:
            return False
        if state is not None:
            app.browser.stack.clear()
            app.browser.active_namespace = state.namespace
            app.browser.show(state, push=False)
        if then is not None:
            then()
        return True

    if app.cluster is not None and app.cluster.context.name == context:
        arrive()
        return
    app.pick_context(context)

    def check() -> None:
        if arrive():
            timer.stop()
        elif time.monotonic() - started > 60:
            timer.stop()
            app.notify(f"context {context} did not connect within a minute; the browser "
                       "says why", severity="warning")
    timer = app.set_interval(0.1, check)


class _Everywhere(KubetuiScreen):
    """A table filled by one answer per context, as they come."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="fleetfind.back"),
        Binding("enter", "open", "Open in its context", id="fleetfind.open"),
    ]
    COLUMNS: tuple[str, ...] = ()

    def __init__(self):
        super().__init__()
        self.rows: dict[str, tuple[tuple[str, ...], str]] = {}
        self.waiting: set[str] = set()
        self.answers: dict[str, object] = {}
        self.errors: dict[str, str] = {}
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Static(id="fleetfind-title")
        yield ResourceTable(self.COLUMNS, id="fleetfind-table")
        yield Footer(compact=True)

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def on_mount(self) -> None:
        kc = self.app.kubeconfig
        names = sorted(kc.contexts)
        self.waiting = set(names)
        for name in names:
            self.rows[f"{name}|~"] = ((name, "", "", "looking…", "", ""), "pending")
        self._paint()
        self.table.focus()
        everywhere(kc, names, self.work, self._done, _client_for(self.app))

    def work(self, client, context: str):
        raise NotImplementedError

    def _done(self, context: str, result, error: str) -> None:
        try:
            told = self.post_message(self.Answered(context, result, error))
        except RuntimeError:  # NoActiveAppError: the app has stopped
            told = False
        if not told:  # the screen closed, or the app stopped: nobody to tell
            log.info("fleet: %s answered after the screen closed", context)

    class Answered(Message, namespace="fleet_find"):
        """One context's answer came (from its thread): its result, or why not."""

        def __init__(self, context: str, result: object, error: str) -> None:
            super().__init__()
            self.context, self.result, self.error = context, result, error

    def on_fleet_find_answered(self, message: Answered) -> None:
        self._answer(message.context, message.result, message.error)

    def _answer(self, context: str, result, error: str) -> None:
        self.waiting.discard(context)
        self.rows.pop(f"{context}|~", None)
        if error:
            self.errors[context] = error
            self.rows[f"{context}|!"] = ((context, "", "", f"could not look: {error}", "",
                                          ""), "error")
        else:
            self.answers[context] = result
            self.add_rows(context, result)
        self._paint()

    def add_rows(self, context: str, result) -> None:
        raise NotImplementedError

    def heading(self) -> str:
        raise NotImplementedError

    def _paint(self) -> None:
        if not self.is_mounted:
            return
        order = sorted(self.rows)
        self.table.apply(self.rows, order, set(self.rows), True)
        left = f", {len(self.waiting)} still looking" if self.waiting else ""
        failed = f", {len(self.errors)} could not look" if self.errors else ""
        self.query_one("#fleetfind-title", Static).update(Text.assemble(
            (" fleet ", "bold reverse"), f"  {self.heading()}{failed}{left}"))


class FleetFindScreen(_Everywhere):
    COLUMNS = ("CONTEXT", "KIND", "NAMESPACE", "NAME", "INFO", "IMAGES")

    def __init__(self, query: Query):
        super().__init__()
        self.query_ = query
        self.found: dict[str, Found] = {}  # row key -> Found

    def work(self, client, context: str) -> Answer:
        return find_in(client, context, self.query_)

    def add_rows(self, context: str, answer: Answer) -> None:
        for f in answer.found:
            key = f"{context}|{f.kind}|{f.namespace}/{f.name}"
            self.found[key] = f
            self.rows[key] = ((context, f.kind, f.namespace, f.name, f.info, f.images),
                              "error" if "not ready" in f.info else "ok")
        for plural, why in answer.failed.items():
            self.rows[f"{context}|!{plural}"] = (
                (context, plural, "", f"could not look: {why}", "", ""), "error")
        for plural, ns in answer.scoped.items():
            self.rows[f"{context}|~{plural}"] = (
                (context, plural, ns, f"(cluster-wide forbidden: looked in {ns} only)", "",
                 ""), "pending")
        if answer.more:
            self.rows[f"{context}|+"] = ((context, "", "", "(more than 500 of a kind: "
                                          "only the first 500 shown)", "", ""), "pending")
        if not answer.found and not answer.failed:
            self.rows[f"{context}|0"] = ((context, "", "", "(none here)", "", ""), "done")

    def heading(self) -> str:
        n = sum(1 for k in self.rows if k in self.found)
        where = len({f.context for f in self.found.values()})
        return f"find {self.query_.text}: {n} found in {where} context(s)"

    def action_open(self) -> None:
        f = self.found.get(self.table.cursor_key or "")
        if f is None:
            return
        k = KINDS[f.kind]
        key = f"{f.namespace}/{f.name}" if k.namespaced else f.name
        open_in_context(self.app, f.context, ViewState(
            f.kind, f.namespace if k.namespaced else None, cursor_key=key))


class FleetLintScreen(_Everywhere):
    COLUMNS = ("CONTEXT", "ERRORS", "WARNINGS", "INFO", "TOP RULES", "NOT READ")

    def work(self, client, context: str) -> LintCounts:
        from kubetui.diagnose.lint import LintConfig
        config, _ = LintConfig.from_table(getattr(self.app.settings, "lint", None) or {})
        return lint_in(client, context, config)

    def add_rows(self, context: str, counts: LintCounts) -> None:
        sev = counts["severity"]
        rules = sorted(counts["rules"].items(), key=lambda x: (-x[1], x[0]))
        top = ", ".join(f"{rule} {n}" for rule, n in rules[:3])
        unread = ", ".join(f"{what}: {why}" for what, why in counts["unread"].items())
        health = "error" if sev.get("error") or unread else "pending" if sev.get(
            "warning") else "ok"
        self.rows[f"{context}|="] = ((context, str(sev.get("error", 0)),
                                      str(sev.get("warning", 0)), str(sev.get("info", 0)),
                                      top or "-", unread or "-"), health)

    def heading(self) -> str:
        return f"footgun lint per cluster: {len(self.answers)} linted"

    def action_open(self) -> None:
        key = self.table.cursor_key or ""
        context = key.split("|", 1)[0]
        if context not in self.answers:
            return
        from .lint import LintScreen
        open_in_context(self.app, context, None, then=lambda: self.app.push_screen(LintScreen()))


__all__ = ["FleetFindScreen", "FleetLintScreen", "open_in_context", "parse_find"]
