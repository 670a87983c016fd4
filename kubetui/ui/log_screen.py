"""The logs screen: a pod's containers, or every pod of a workload (pods that appear
later join in), streamed in thread workers into one view. The state of the streams is
always on screen (streaming, reconnecting, ended), and a dropped stream resumes from its
last timestamp without repeating lines (`kube.logs.LogStream`)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from kubetui.kube.client import ApiError
from kubetui.kube.logs import ENDED, LogStream

from .command_bar import CommandBar
from .log_view import LogView


class LogScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="logs.back"),
        Binding("f", "follow", "Follow", id="logs.follow"),
        Binding("t", "timestamps", "Timestamps", id="logs.timestamps"),
        Binding("slash", "filter", "Filter", id="logs.filter"),
        Binding("c", "clear", "Clear", id="logs.clear"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
    ]

    def __init__(self, cluster, namespace: str, pods: list[dict] | None = None,
                 selector: str | None = None, title: str = "", previous: bool = False,
                 tail: int = 200):
        super().__init__()
        self.cluster, self.namespace = cluster, namespace
        self.selector, self.previous, self.tail = selector, previous, tail
        self.title_text = title
        self.initial = pods or []
        self.streams: dict[str, LogStream] = {}  # "pod/container" -> its stream
        self._pending: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._group = None

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
        for pod in self.initial:
            self._start_pod(pod)
        self.set_interval(0.1, self._drain)
        self.set_interval(1.0, self._discover)

    def on_unmount(self) -> None:
        for stream in self.streams.values():
            stream.cancel()

    # -- streams
    def _start_pod(self, pod: dict) -> None:
        meta = pod["metadata"]
        containers = [c["name"] for c in (pod.get("spec") or {}).get("containers") or ()]
        several = len(containers) > 1 or self.selector is not None
        for container in containers:
            source = f"{meta['name']}/{container}"
            if source in self.streams:
                continue
            prefix = (f"{meta['name']}/{container}" if len(containers) > 1 else
                      meta["name"]) if several else ""
            stream = LogStream(self.cluster.client, meta["namespace"], meta["name"], container,
                               follow=not self.previous, previous=self.previous,
                               tail=self.tail)
            self.streams[source] = stream
            threading.Thread(target=self._pump, args=(stream, prefix), daemon=True,
                             name=f"logs {source}").start()

    def _pump(self, stream: LogStream, prefix: str) -> None:
        try:
            for line in stream:
                with self._lock:
                    self._pending.append((prefix, line.stamp, line.text))
        except ApiError as exc:
            with self._lock:
                self._pending.append((prefix, "", f"(logs unavailable: {exc.message})"))
        except Exception as exc:  # a stream that cannot go on says why, in the view
            with self._lock:
                self._pending.append((prefix, "", f"(log stream stopped: {exc})"))

    def _discover(self) -> None:
        """Pods of the workload that appeared since (a rollout, a scale-up) join in."""
        if self._group is None or self.previous:
            return
        _, items = self._group.store.snapshot()
        for pod in items.values():
            running = any((cs.get("state") or {}).get("running") for cs in (
                pod.get("status") or {}).get("containerStatuses") or ())
            if running:
                self._start_pod(pod)

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        view = self.query_one(LogView)
        view.add(batch)
        states = [s.state for s in self.streams.values()]
        live = sum(1 for s in states if s != ENDED)
        summary = {state: states.count(state) for state in sorted(set(states))}
        status = ", ".join(f"{n} {state}" for state, n in summary.items()) or "starting"
        extras = []
        if view.pattern is not None:
            extras.append(f"filter {'!' if view.inverse else ''}{view.pattern.pattern}")
        extras.append("follow" if view.follow else "paused (f: follow)")
        if view.dropped:
            extras.append(f"{view.dropped:,} oldest dropped")
        kind = "previous logs" if self.previous else "logs"
        self.query_one("#logs-title", Static).update(
            f" {kind} {self.title_text}  [{view.visible_count:,} lines]  {status}"
            f"{'' if live or not states else ' (all ended)'}  · {' · '.join(extras)}")

    # -- keys
    def action_follow(self) -> None:
        view = self.query_one(LogView)
        view.follow = not view.follow
        if view.follow:
            view.scroll_end(animate=False)

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
        bar.placeholder = "filter: regex (matches highlighted), !regex hides them"

    def on_command_bar_entered(self, event: CommandBar.Entered) -> None:
        event.stop()
        error = self.query_one(LogView).set_filter(event.text)
        if error:
            self.notify(error, severity="warning")
        self.query_one(LogView).focus()

    def on_command_bar_closed(self, event: CommandBar.Closed) -> None:
        event.stop()
        self.query_one(LogView).focus()

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
        self.notify(f"Saved {len(lines):,} lines to {path}", timeout=6)


__all__ = ["LogScreen"]
