"""The kubetui application: it owns the connection to one context at a time (switching
builds the new one first, then closes the old), the themes and the key map, and runs
the browser screen. Blocking calls run in thread workers that only post results back;
one handler turns a failed worker into a notification, never a traceback."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from kubetui.kube.actions import ReadOnly
from kubetui.kube.client import ApiError, KubeClient
from kubetui.kube.cluster import Cluster
from kubetui.kube.config import ContextInfo, KubeConfigError, KubeConfigSet
from kubetui.kube.discovery import discover
from kubetui.kube.forwards import ForwardManager
from kubetui.kube.gc_hold import guard_freezes
from kubetui.ui import state, themes
from kubetui.ui.commands import KubetuiCommands
from kubetui.ui.lifetime import (
    HeapFreezer,
    OwnThreadExecutor,
    alive,
    drop_render_caches,
    prune_watchers,
    tune_malloc,
)
from kubetui.ui.navigation import ViewState
from kubetui.ui.screens.browser import BrowserScreen
from kubetui.ui.screens.pick import PickScreen

log = logging.getLogger("kubetui.ui")
IDLE_TICK = 5.0  # seconds between looks when nothing wakes the app


@dataclass
class Settings:
    context: str | None = None
    namespace: str | None = None  # None: all namespaces
    readonly: bool = False
    refresh_hz: float = 30.0  # checks a second; a paint happens only when data changed
    theme: str = themes.DEFAULT_THEME
    favorites: list[str] = field(default_factory=list)
    context_namespaces: dict[str, str] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    debug_image: str = "busybox:1.36"  # the checklist's node debug pod
    problems: list[str] = field(default_factory=list)
    lint: dict = field(default_factory=dict)  # config.toml's [lint] (ui/screens/lint.py)
    fleet: bool = False  # start on the fleet screen (kubetui --fleet)


class KubetuiApp(themes.ReadableThemes, App):
    CSS_PATH = "kubetui.tcss"
    TITLE = "kubetui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {KubetuiCommands}

    BINDINGS = [
        Binding("q", "quit_app", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit_app", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", id="app.help"),
        # `:` on any screen, as in k9s (the browser's own binding, with its typeahead,
        # takes it there): a priority binding, so it runs in the app's handling of the
        # key, and the keys typed with it (`:svc⏎` arrives at once) go to the bar it
        # opens, not to the closing screen's keys (`c` cleared a log screen)
        Binding("colon", "command_anywhere", "Command", show=False, priority=True,
                id="app.command"),
    ]

    def __init__(self, kubeconfig: KubeConfigSet, settings: Settings | None = None):
        tune_malloc()  # before the informer threads make arenas of their own
        super().__init__()
        self.kubeconfig = kubeconfig
        self.settings = settings or Settings()
        self.cluster: Cluster | None = None
        self.context_info: ContextInfo = kubeconfig.context(self.settings.context)
        self.server_version = "…"
        self.extra_kinds: dict = {}  # kinds found by discovery (CRDs): shown via Tables
        self.actions_log: list[tuple[float, str, str]] = []  # (time, who, what) it did
        self._connects = 0  # connections asked for; the last one is the one wanted
        self.discarded_connects = 0  # connections that finished after a later choice
        self.heap = HeapFreezer()
        self._old_sessions: list[threading.Thread] = []  # old sessions stopping
        self._last_paint = self._last_change = self._last_input = 0.0
        self._tick_timer: Timer | None = None
        self._tick_due = 0.0
        self._pruned_for: object = None
        self.forwards = ForwardManager(note=self._forward_note)  # shift-f, :pf
        self.fleet = None  # every context at once, from the first :fleet (ui/screens/fleet.py)

    @property
    def browser(self) -> BrowserScreen:
        return self._browser


    def push_screen(self, screen, *args, **kwargs):
        if not isinstance(screen, str):
            # watched until it is gone, once it is closed
            self.heap.pushed(screen, lasting=screen is self._browser)
        return super().push_screen(screen, *args, **kwargs)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self._last_input = time.monotonic()  # (a reset of the heap waits for a pause)
        await super().on_event(event)

    def on_mount(self) -> None:
        # thread workers each on a thread that ends with them (see lifetime.py)
        asyncio.get_running_loop().set_default_executor(OwnThreadExecutor())
        # a list's end freezes the heap only when that cannot catch a screen (gc_hold)
        guard_freezes(self.heap.freeze_guard(self))
        found, problems = themes.discover()
        for theme in found:
            self.register_theme(theme)
        for name in themes.UNVOUCHED:
            if name in self.available_themes:
                self.unregister_theme(name)
        names = set(self.available_themes)
        wanted = self.settings.theme
        if wanted == themes.DEFAULT_THEME:  # not chosen in the config: the last :theme
            wanted = state.load().get("theme") or wanted
        self.theme = wanted if wanted in names else themes.DEFAULT_THEME if \
            themes.DEFAULT_THEME in names else "textual-dark"
        if wanted not in names:
            problems.append(f"theme {wanted!r} not found; using {self.theme}")
        for problem in problems + self.settings.problems:
            self.notify(problem, title="Configuration", severity="warning", timeout=8)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        namespace = self.settings.namespace or self.settings.context_namespaces.get(
            self.context_info.name)
        self._browser = BrowserScreen(ViewState("Pod", namespace),
                                      favorites=self.settings.favorites)
        self.push_screen(self._browser)
        if self.settings.fleet:  # the browser connects when a context is chosen
            from .screens.fleet import open_fleet
            open_fleet(self)
        else:
            self.connect(self.context_info.name)
        self._last_change = time.monotonic()  # starting up counts as busy
        self._schedule_tick()

    # -- when to look: on a change (the session's stores wake the app), else rarely
    def _schedule_tick(self, delay: float | None = None) -> None:
        """Look for changes at most refresh_hz times a second while things change. When
        nothing does, nothing is looked at until a store or an informer's health wakes
        the app (`_woken`), an age on screen is due to change, or IDLE_TICK passes (time
        alone moves a few things: the lint's stuck namespaces, a heap reset)."""
        now = time.monotonic()
        if delay is None:
            delay = self._next_tick_in(now)
        delay = max(delay, 0.001)  # (a timer of 0 s divides by it)
        due = now + delay
        if self._tick_timer is not None:
            if self._tick_due <= due:
                return  # an earlier look is already set
            self._tick_timer.stop()
        self._tick_due = due
        self._tick_timer = self.set_timer(delay, self._tick_and_rearm)

    def _next_tick_in(self, now: float) -> float:
        group = self._browser.group
        if now - self._last_change < 1.0 or (group is not None and not group.synced):
            return 1 / self.settings.refresh_hz  # busy: frames as the data moves
        if not self.heap.frozen:
            return self.heap.interval  # (the heap is frozen once things settle)
        return min(IDLE_TICK, self._browser.due_in())

    class Woken(Message):
        """A store or an informer of the session changed: look soon."""

    def _wake(self) -> None:
        """(Any thread: the session's Waker calls it once until the next look.)"""
        self.post_message(self.Woken())

    def on_kubetui_app_woken(self, _: Woken) -> None:
        if not self.is_running:
            return
        now = time.monotonic()
        self._last_change = now
        self._schedule_tick(max(0.0, self._last_paint + 1 / self.settings.refresh_hz - now))

    def _tick_and_rearm(self) -> None:
        self._tick_timer = None
        if not self.is_running or not self.screen_stack:
            return  # closing down
        try:
            self._tick()
        finally:
            self._schedule_tick()

    # -- the connection (thread workers: they only post results back)
    def connect(self, context: str) -> None:
        """Connect to `context` in the background. The last call wins, whatever order
        the connections finish in (one may wait on a slow credential plugin)."""
        self._connects += 1
        # where to look if the user may not list namespaces (the context's own is added)
        hints = [self.settings.namespace, self.settings.context_namespaces.get(context),
                 *self._browser.favorites]  # (the config's favourites, then those visited)
        self._connect(context, self._connects, hints)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self, context: str, attempt: int, namespaces: list[str | None]) -> None:
        # (exclusive only marks an earlier worker cancelled: its thread runs on, so
        # `attempt` is what tells a stale connection from the one wanted)
        fresh = Cluster(self.kubeconfig, context, self.settings.readonly, namespaces)
        if not self.call_from_thread(self._connected, fresh, attempt):
            return
        try:
            version = fresh.client.version().get("gitVersion", "?")
        except (ApiError, OSError, ValueError) as exc:
            log.exception("%s: no server version", context)
            version = "unknown"
            self.notify(f"Server version unavailable: {exc}", severity="warning")
        except Exception as exc:  # urllib3 errors and the like: say it, keep going
            log.exception("%s: no server version", context)
            version = "unreachable"
            self.notify(f"{fresh.client.server}: {exc}", severity="warning")
        self.post_message(self.Answered(attempt, version=version))
        try:
            extra = discover(fresh.client)
        except Exception:  # discovery is a nicety: the built-in kinds work without it
            log.exception("%s: discovery failed; only the built-in kinds", context)
            extra = {}
        self.post_message(self.Answered(attempt, extra_kinds=extra))

    def _connected(self, fresh: Cluster, attempt: int) -> bool:
        """Adopt a new session, unless a later choice was made meanwhile: then it is
        closed unused (it watches nothing yet) and the worker stops there."""
        if attempt != self._connects:
            log.info("connected to %s after a later choice; closing it unused",
                     fresh.context.name)
            self.discarded_connects += 1
            fresh.close(wait=0)
            return False
        old, self.cluster = self.cluster, fresh
        fresh.wake.callback = self._wake
        if old is not None:
            old.wake.callback = None
        self.context_info = fresh.context
        browser = self._browser
        if old is not None:
            browser.group = None
            # the old session's client closes: its port-forwards go with it, said so
            stopped = self.forwards.stop_client(old.client)
            if stopped:
                self.notify(f"{stopped} port-forward(s) of context {old.context.name} "
                            "stopped", title="Port-forward", severity="warning", timeout=8)
            # the old session's informers stop in the background: waiting for each
            # watch to end would freeze the screen for up to a second per kind
            closing = threading.Thread(target=_close_session, args=(old,), daemon=True,
                                       name=f"close {old.context.name}")
            closing.start()
            self._old_sessions = alive(self._old_sessions) + [closing]
            self.heap.reset()  # once it is closed, what it froze can go
            namespace = self.settings.context_namespaces.get(fresh.context.name,
                                                             fresh.context.namespace)
            browser.stack.clear()
            browser.active_namespace = namespace
            browser.show(ViewState("Pod", namespace), push=False)
            self.notify(f"Switched to context {fresh.context.name}", timeout=4)
        else:
            browser.show(browser.state, push=False)
        return True

    class Answered(Message):
        """What a connection's worker learned after connecting (its version, the kinds
        discovery found), for the connection it belongs to (`attempt`)."""

        def __init__(self, attempt: int, version: str | None = None,
                     extra_kinds: dict | None = None) -> None:
            super().__init__()
            self.attempt, self.version, self.extra_kinds = attempt, version, extra_kinds

    def on_kubetui_app_answered(self, message: Answered) -> None:
        if message.attempt != self._connects:
            return  # a connection given up for a later choice
        if message.version is not None:
            self.server_version = message.version
            self._schedule_tick(0)  # (the header shows it)
        if message.extra_kinds is not None:
            self.extra_kinds = message.extra_kinds

    def pick_context(self, name: str | None) -> None:
        if name:
            self._switch(name)
            return
        names = sorted(self.kubeconfig.contexts)
        details = {n: f"{self.kubeconfig.contexts[n].source} · probing…" for n in names}
        marks = {n: "● in use" for n in names if n == self.context_info.name}
        for n in names:
            hidden = self.kubeconfig.shadows_of(n)
            if hidden:  # first file wins, as kubectl's; say what a later file lost
                marks[n] = (marks.get(n, "") + "  shadows " + "; ".join(hidden)).strip()
        picker = PickScreen("contexts", names, details, marks)

        def chosen(choice: str | None) -> None:
            if choice and choice != self.context_info.name:
                self._switch(choice)

        self.push_screen(picker, chosen)
        self._probe(picker, names)

    def _switch(self, name: str) -> None:
        if name not in self.kubeconfig.contexts:
            self.notify(f'no context "{name}" in {", ".join(self.kubeconfig.paths)}',
                        severity="error")
            return
        self.server_version = "…"
        self.connect(name)

    @work(thread=True, group="probe", exit_on_error=False)
    def _probe(self, picker: PickScreen, names: list[str]) -> None:
        """Reachability, version and node count of each context, in the background."""
        for name in names:
            source = self.kubeconfig.contexts[name].source
            try:
                client = KubeClient.connect(self.kubeconfig, name)
                try:
                    version = client.get_json("/version", timeout=3).get("gitVersion", "?")
                    nodes = client.get_json("/api/v1/nodes", {"limit": 1}, timeout=3)
                    count = len(nodes.get("items") or ()) + (
                        (nodes.get("metadata") or {}).get("remainingItemCount") or 0)
                    detail = f"{source} · {version} · {count} nodes"
                finally:
                    client.close()
            except ApiError as exc:
                log.exception("probing context %s", name)
                detail = f"{source} · reachable, {exc.message}"
            except KubeConfigError as exc:
                log.exception("probing context %s", name)
                detail = f"{source} · {exc}"
            except Exception as exc:  # unreachable: say so briefly
                log.exception("probing context %s", name)
                detail = f"{source} · unreachable ({type(exc).__name__})"
            picker.post_message(PickScreen.Detail(name, detail))

    def pick_theme(self, name: str | None) -> None:
        available = sorted(self.available_themes)
        def use(choice: str | None) -> None:
            if choice:
                self.theme = choice
                state.remember(theme=choice)  # the next start opens in it

        if name:
            if name in available:
                use(name)
            else:
                self.notify(f"no theme {name!r}; have {', '.join(available)}",
                            severity="warning")
            return
        self.push_screen(PickScreen("themes", available), use)

    # -- painting
    def _tick(self) -> None:
        browser = self._browser
        if self.cluster is not None:
            self.cluster.wake.looked()  # what changes from here on wakes the app again
        if self.screen is not browser:
            return
        browser.lint_tick()
        group = browser.group
        now = time.monotonic()
        if group is not None and not group.synced and now - self._last_paint < 0.25:
            return  # a big first list: show progress a few times a second, decode the rest
        self._last_paint = now
        painted = browser.paint()
        if painted:
            self._last_change = now
        if group is None or self.cluster is None or not browser.table.row_count \
                or not group.synced:
            return
        # the caches and their rows are built: move them out of the collector's way
        # (short full collections), and again what churn brought since, when it is safe
        changes = tuple(g.store.version for g in list(self.cluster.groups.values()))
        self._old_sessions = alive(self._old_sessions)
        busy = bool(self._old_sessions) or any(not w.is_finished for w in self.workers)
        ui = (self.heap.pushes, id(browser.state), self.theme)
        # the UI changed (a screen closed too: the caches its widgets filled while it was
        # open stayed until the next screen opened; CI run 48): what closed widgets left
        if (ui, len(self.screen_stack)) != self._pruned_for:
            self._pruned_for = (ui, len(self.screen_stack))
            prune_watchers([self, *(n for s in self.screen_stack
                                    for n in s.walk_children(with_self=True))])
            drop_render_caches()
        self.heap.maybe_freeze(now, changes, busy, self.screen_stack, ui,
                               now - self._last_input, painted)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every failed worker ends here: a notification, never a traceback."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error  # (logged with its traceback by the executor)
            if isinstance(error, (KubeConfigError, ApiError, ReadOnly)):
                message = str(error)
            else:
                message = f"{type(error).__name__}: {error}"
            self.notify(message, title="Error", severity="error", timeout=10)

    # -- the screens that act open each other through the app (the top of ui/), so none
    # of them imports another that imports it
    def open_checklist(self, ns: str, pod: str) -> None:
        from kubetui.ui.screens.checklist import ChecklistScreen
        self.push_screen(ChecklistScreen(self.cluster, ns, pod, self.settings.debug_image))

    def open_rollout(self, kind: str, ns: str, name: str) -> None:
        """The rollout cockpit: after a restart or an undo, it shows the rollout happen."""
        from kubetui.ui.screens.rollout import RolloutScreen
        self.push_screen(RolloutScreen(self.cluster, kind, ns, name))

    # -- keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command_anywhere":  # (else the key goes where it goes)
            from textual.widgets import Input, TextArea

            from kubetui.ui.screens.base import KubetuiScreen
            browser = getattr(self, "_browser", None)
            return (isinstance(self.screen, KubetuiScreen) and self.screen is not browser
                    and browser is not None and browser in self.screen_stack
                    and not isinstance(self.focused, (Input, TextArea)))
        return True

    async def action_command_anywhere(self) -> None:
        """Close the screens over the browser, then open its command bar (which takes
        the focus at once: the keys typed next are the command)."""
        browser = self.browser
        while self.screen is not browser and browser in self.screen_stack:
            await self.pop_screen()
        if self.screen is browser:
            await browser.action_command()

    def action_help(self) -> None:
        """The keys of the screen in force, whichever it is."""
        from kubetui.ui.screens.help import HelpScreen, help_groups
        if self.screen is self._browser:
            self._browser.action_help()
        elif not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_groups(self)))

    async def action_quit_app(self) -> None:
        self.shutdown()
        self.exit()

    def _forward_note(self, message: str, severity: str) -> None:
        """What the port-forward watcher says (from its thread): a notification."""
        if not self.is_running:  # (the log has it)
            log.error("port-forward (no screen to tell): %s", message)
            return
        level: SeverityLevel = "error" if severity == "error" else \
            "warning" if severity == "warning" else "information"
        self.notify(message, title="Port-forward", severity=level, timeout=8)  # thread-safe

    def shutdown(self) -> None:
        self.forwards.stop_all()
        from .screens.fleet import stop_fleet
        stop_fleet(self)
        if self.cluster is not None:
            self.cluster.close(wait=2)
            self.cluster = None


def _close_session(cluster: Cluster) -> None:
    """A thread's body: stop an old session's informers and close its client."""
    try:
        cluster.close(wait=1)
    except Exception:
        log.exception("closing the session of %s", cluster.context.name)


__all__ = ["KubetuiApp", "Settings"]
