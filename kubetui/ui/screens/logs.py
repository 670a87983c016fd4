"""The logs screen: a pod's containers, or every pod of a workload (pods that appear
later join in), streamed in thread workers into one view. The state of the streams is
always on screen (streaming, reconnecting, ended, container restarted), a dropped stream
resumes from its last timestamp without repeating lines (`kube.logs.LogStream`), and a
container that restarts is followed into its new instance.

Keys: f follow, w wrap, t timestamps, / filter, s search with n / N, o container,
0-4 since (all, 1m, 5m, 15m, 1h), L tail size, c clear, ctrl+s save."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from pathlib import Path

import humanize
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Static

from kubetui.kube.client import ApiError
from kubetui.kube.logs import ENDED, ERROR, LogStream
from kubetui.ui.screens.base import KubetuiScreen
from kubetui.ui.screens.modals import PromptScreen
from kubetui.ui.screens.pick import PickScreen
from kubetui.ui.widgets.command_bar import CommandBar
from kubetui.ui.widgets.log_view import LogView

from ..widgets.footer import Footer

log = logging.getLogger("kubetui.logs")

SINCE = {"0": (None, "all"), "1": (60, "1m"), "2": (300, "5m"), "3": (900, "15m"),
         "4": (3600, "1h")}
ALL_CONTAINERS = "all containers"

log = logging.getLogger("kubetui.ui")
TYPING_PAUSE = 0.3  # seconds without a key before a filter applies


def _containers(pod: dict) -> list[str]:
    return [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]


def _has_run(pod: dict) -> bool:
    """Whether a container of the pod has logs to read: it runs, or it ran (a pod in
    CrashLoopBackOff has its last run's logs, as `kubectl logs` shows them)."""
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        state, last = cs.get("state") or {}, cs.get("lastState") or {}
        if state.get("running") or state.get("terminated") or last.get("terminated"):
            return True
    return False


def _restarts(pod: dict) -> dict[str, int]:
    return {cs["name"]: cs.get("restartCount", 0)
            for cs in (pod.get("status") or {}).get("containerStatuses") or ()}


class LogScreen(KubetuiScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="logs.back"),
        Binding("f", "follow", "Follow", id="logs.follow"),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("t", "timestamps", "Timestamps", id="logs.timestamps"),
        Binding("slash", "filter", "Filter", id="logs.filter"),
        Binding("s", "search", "Search", id="logs.search"),
        Binding("n", "next_match", "Next", id="logs.next"),
        Binding("N", "next_match(True)", "Previous", show=False, id="logs.previous"),
        Binding("o", "container", "Container", id="logs.container"),
        *[Binding(k, f"since('{k}')", f"Since {label}", show=k == "0", id=f"logs.since_{k}")
          for k, (_, label) in SINCE.items()],
        Binding("L", "tail", "Tail size", show=False, id="logs.tail"),
        Binding("c", "clear", "Clear", id="logs.clear"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
    ]

    def __init__(self, cluster, namespace: str, pods: list[dict] | None = None,
                 selector: str | None = None, title: str = "", previous: bool = False,
                 tail: int | None = 200, since: int | None = None):
        super().__init__()
        self.cluster, self.namespace = cluster, namespace
        self.selector, self.previous, self.tail, self.since = selector, previous, tail, since
        self.container: str | None = None  # None: every container
        self.title_text = title
        self.initial = pods or []
        self.streams: dict[str, LogStream] = {}  # "pod/container" -> its stream
        self._restarts: dict[str, int] = {}  # "pod/container" -> restarts when it started
        self._pending: list[tuple[str, str, str]] = []
        self._typing: Timer | None = None  # applies a filter once typing pauses
        self._lock = threading.Lock()
        self._group = None
        self._listed = False  # previous logs: the pods' last runs were asked for
        self._title = ""

    def compose(self) -> ComposeResult:
        yield Static(id="logs-title")
        yield LogView(id="logs")
        bar = CommandBar([], id="logs-bar")
        bar.display = False
        yield bar
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(LogView).focus()
        if self.selector is not None:
            self._group = self.cluster.watch("Pod", self.namespace, self.selector)
        elif len(self.initial) == 1:  # one pod: watched to follow its restarts
            self._group = self.cluster.watch(
                "Pod", self.namespace,
                field_selector=f"metadata.name={self.initial[0]['metadata']['name']}")
        for pod in self.initial:
            self._start_pod(pod)
        self.set_interval(0.1, self._drain)
        self.set_interval(1.0, self._discover)

    def on_unmount(self) -> None:
        self._stop_streams()
        if self._group is not None:
            self.cluster.release(self._group)

    # -- streams
    def _stop_streams(self) -> None:
        for stream in self.streams.values():
            stream.cancel()

    def _several(self, pod: dict) -> bool:
        return self.selector is not None or (self.container is None
                                             and len(_containers(pod)) > 1)

    def _start_pod(self, pod: dict) -> None:
        meta = pod["metadata"]
        containers = _containers(pod)
        restarts = _restarts(pod)
        for container in containers:
            if self.container is not None and container != self.container:
                continue
            source = f"{meta['name']}/{container}"
            old = self.streams.get(source)
            if old is not None:
                restarted = restarts.get(container, 0) > self._restarts.get(source, 0)
                if self.previous or old.state != ENDED or not restarted:
                    continue
            prefix = (f"{meta['name']}/{container}" if len(containers) > 1 else
                      meta["name"]) if self._several(pod) else ""
            if old is not None:
                with self._lock:
                    self._pending.append((prefix, "", f"── container {container} restarted "
                                          f"(restart {restarts.get(container, 0)}) ──"))
            self._restarts[source] = restarts.get(container, 0)
            stream = LogStream(self.cluster.client, meta["namespace"], meta["name"], container,
                               follow=not self.previous, previous=self.previous,
                               tail=None if old is not None else self.tail,
                               since_seconds=None if old is not None else self.since)
            self.streams[source] = stream
            threading.Thread(target=self._pump, args=(stream, prefix), daemon=True,
                             name=f"logs {source}").start()

    def _pump(self, stream: LogStream, prefix: str) -> None:
        try:
            for line in stream:
                with self._lock:
                    self._pending.append((prefix, line.stamp, line.text))
        except ApiError as exc:
            log.error("logs of %s unavailable", prefix or stream.pod, exc_info=True)
            with self._lock:
                self._pending.append((prefix, "", f"(logs unavailable: {exc.message})"))
        except Exception as exc:  # a stream that cannot go on says why, in the view
            log.exception("the log stream of %s stopped", prefix or stream.pod)
            stream.state, stream.error = ERROR, f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._pending.append((prefix, "", f"(log stream stopped: {stream.error})"))

    def _discover(self) -> None:
        """Pods of the workload that appeared since (a rollout, a scale-up) join in, and
        a container that restarted is followed into its new instance. Previous logs are
        the last runs of the pods there are: read once, when the pod list is in (a
        workload's screen starts with no pods), each pod's answer in its line, a pod
        without a previous run included (the server's 400 says so)."""
        if self._group is None:
            return
        if self.previous:
            if self._listed or not self._group.synced:
                return
            self._listed = True
        _, items = self._group.store.snapshot()
        for pod in items.values():
            if self.previous or _has_run(pod):
                self._start_pod(pod)

    def _restart_streams(self) -> None:
        """Start over with new settings (since, tail, container)."""
        self._stop_streams()
        self.streams.clear()
        with self._lock:
            self._pending = []
        self.query_one(LogView).clear()
        pods = list(self._group.store.snapshot()[1].values()) if self._group else self.initial
        for pod in pods or self.initial:
            self._start_pod(pod)

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        view = self.query_one(LogView)
        view.add(by_time(batch))
        states = [s.state for s in self.streams.values()]
        live = sum(1 for s in states if s != ENDED)
        summary = {state: states.count(state) for state in sorted(set(states))}
        status = ", ".join(f"{n} {state}" for state, n in summary.items()) or self._waiting()
        # What matters most first (80 columns cut the rest): the streams' state (above),
        # then following or paused, then what hides lines, then the settings.
        extras = []
        if not self.previous:  # a finished container's logs: nothing to follow
            extras.append("follow" if view.follow else "paused (f: follow)")
        if view.pattern is not None:
            extras.append(f"filter {'!' if view.inverse else ''}{view.pattern.pattern}"
                          + (" (filtering ...)" if view.filtering else ""))
        if view.search is not None:
            extras.append(f"search {view.search.pattern} (n/N)")
        extras.append(f"container {self.container}" if self.container else "")
        extras.append(f"since {self.since // 60}m" if self.since else "")
        extras.append(f"tail {self.tail}" if self.tail else "")
        extras.append("timestamps" if view.timestamps else "")
        extras.append("wrap" if view.wrap else "")
        if view.dropped:
            extras.append(f"{view.dropped:,} oldest dropped")
        kind = "previous logs" if self.previous else "logs"
        title = (f" {kind} {self.title_text}  [{view.visible_count:,} lines]  {status}"
                 f"{'' if live or not states else ' (all ended)'}  · "
                 f"{' · '.join(e for e in extras if e)}")
        if title != self._title:  # ten checks a second; a repaint only on a change
            self._title = title
            self.query_one("#logs-title", Static).update(title)

    def _waiting(self) -> str:
        """What a screen with no stream yet waits for, in its header (never a bare
        "starting" that could stay forever)."""
        group = self._group
        if group is None:
            return "starting" if self.initial else "no pods"
        if not group.synced:
            message = group.health.message
            return f"listing pods: {message}" if message else "listing pods"
        if not group.store.snapshot()[1]:
            return "no pods match"
        return "waiting for a container to start"

    # -- keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Previous logs are a container's that ended: no follow key (nor in the footer)."""
        return not (action == "follow" and self.previous)

    def action_back(self) -> None:
        """As k9s: Escape first clears a filter, then a search; with neither it leaves."""
        view = self.query_one(LogView)
        if view.pattern is not None:
            view.set_filter("")
        elif view.search is not None:
            view.set_search("")
        else:
            self.app.pop_screen()

    def action_follow(self) -> None:
        view = self.query_one(LogView)
        view.follow = not view.follow
        if view.follow:
            view.current = None
            view.scroll_end(animate=False)

    def action_wrap(self) -> None:
        self.query_one(LogView).toggle_wrap()

    def action_timestamps(self) -> None:
        view = self.query_one(LogView)
        view.timestamps = not view.timestamps
        view.refresh()

    def action_filter(self) -> None:
        bar = self.query_one(CommandBar)
        view = self.query_one(LogView)
        current = "" if view.pattern is None else (
            ("!" if view.inverse else "") + view.pattern.pattern)
        bar.open("/", current)
        bar.placeholder = "filter: regex keeps matching lines, !regex hides them"

    def action_search(self) -> None:
        bar = self.query_one(CommandBar)
        view = self.query_one(LogView)
        bar.open("search", "" if view.search is None else view.search.pattern)
        bar.placeholder = "search: regex, highlighted; n next, N previous; empty ends it"

    def action_next_match(self, backwards: bool = False) -> None:
        view = self.query_one(LogView)
        if view.search is None:
            self.action_search()
        elif not view.next_match(backwards=not backwards):  # n goes to older lines
            self.notify("no more matches " + ("below" if backwards else "above"), timeout=2)
            # (n walks up to older lines, N down to newer ones)

    def on_command_bar_entered(self, event: CommandBar.Entered) -> None:
        event.stop()
        view = self.query_one(LogView)
        error = view.set_search(event.text) if event.mode == "search" else \
            view.set_filter(event.text)
        if error:
            self.notify(error, severity="warning")
        view.focus()

    def on_command_bar_closed(self, event: CommandBar.Closed) -> None:
        event.stop()
        self.query_one(LogView).focus()

    def on_input_changed(self, event) -> None:
        """A filter applies as it is typed, once the typing pauses (a regex that does not
        compile yet is left alone until Enter says what is wrong with it)."""
        bar = self.query_one(CommandBar)
        if event.input is not bar or bar.mode != "/" or not bar.display:
            return
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, lambda: self._filter_as_typed(bar.value))

    def _filter_as_typed(self, text: str) -> None:
        self._typing = None
        try:
            re.compile(text.removeprefix("!"))
        except re.error:
            return
        self.query_one(LogView).set_filter(text)

    def action_container(self) -> None:
        pods = list(self._group.store.snapshot()[1].values()) if self._group else self.initial
        names = sorted({c for pod in pods or self.initial for c in _containers(pod)})
        if len(names) < 2:
            self.notify("there is only one container", timeout=3)
            return

        def picked(choice: str | None) -> None:
            if choice is None:
                return
            self.container = None if choice == ALL_CONTAINERS else choice
            self._restart_streams()

        self.app.push_screen(PickScreen("logs of which container?", [ALL_CONTAINERS, *names]),
                             picked)

    def action_since(self, key: str) -> None:
        self.since = SINCE[key][0]
        self.tail = None  # a time window shows all of its lines
        self._restart_streams()

    def action_tail(self) -> None:
        def answered(value: str | None) -> None:
            if value:
                self.tail, self.since = int(value), None
                self._restart_streams()

        self.app.push_screen(PromptScreen("How many of the last lines of each container?",
                                          str(self.tail or 200), restrict=r"\d*"), answered)

    def action_clear(self) -> None:
        self.query_one(LogView).clear()

    def action_save(self) -> None:
        folder = Path.home() / "kubetui-logs"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = self.title_text.replace("/", "_").strip() or "logs"
        path = folder / f"{name}-{stamp}.log"
        lines = self.query_one(LogView).visible_text()
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        self.notify(f"Saved {len(lines):,} lines ({humanize.naturalsize(path.stat().st_size)}) "
                    f"to {path}", timeout=4)


def by_time(batch: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Lines of several streams that arrived together (a workload's backlog), merged by
    their timestamps; a line without one (a marker) stays after the line before it."""
    if len({prefix for prefix, _, _ in batch}) < 2:
        return batch
    keyed, last = [], ""
    for i, (prefix, stamp, text) in enumerate(batch):
        last = stamp or last
        keyed.append((last, i, (prefix, stamp, text)))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [line for _, _, line in keyed]


__all__ = ["LogScreen", "by_time"]
