"""shift-f: port-forward the selected pod, service or workload (to one of its ready pods):
pick one of the declared ports, then the local port (the same, or the next free one, on
127.0.0.1 only). Refused in read-only mode: a port-forward is not a change to any object,
but RBAC counts it as `create` on `pods/portforward`, and it opens a way into the pod."""

from __future__ import annotations

import logging

from kubetui.kube.client import ApiError
from kubetui.kube.forwards import FORWARDABLE, PortChoice, free_port, port_choices
from kubetui.kube.kinds import KINDS
from kubetui.ui.actions.rows import RowActions
from kubetui.ui.screens.modals import PromptScreen
from kubetui.ui.screens.pick import PickScreen

log = logging.getLogger("kubetui.ui")
READONLY_WHY = "port-forward (RBAC counts it as create on pods/portforward)"


class ForwardActions:
    """shift-f on the browser's selected row."""

    def __init__(self, rows: RowActions) -> None:
        self.host = rows.host
        self.actions = rows.actions

    def port_forward(self) -> None:
        picked = self.host.selected()
        if picked is None or self.host.app.cluster is None:
            return
        kind, obj = self.host.state.kind, picked[1]
        if kind not in FORWARDABLE:
            self.host.notify("port-forward works on pods, services and workloads",
                             severity="warning")
            return
        if self.actions.refused(READONLY_WHY):
            return
        meta = obj["metadata"]
        self.actions.in_thread(self._load_ports, kind, meta["namespace"], meta["name"],
                               group="forward")

    def _load_ports(self, kind: str, ns: str, name: str) -> None:
        """The whole object (the table's copy leaves the ports out), then the pick."""
        app = self.host.app
        if app.cluster is None:
            return
        try:
            obj = app.cluster.client.get_json(KINDS[kind].path(ns, name))
        except ApiError as exc:
            log.error("cannot read %s %s/%s", kind, ns, name, exc_info=True)
            self.actions.say(f"cannot port-forward: {exc.message}", severity="error")
            return
        app.call_from_thread(self._pick_port, kind, obj)  # the action's next question

    def _pick_port(self, kind: str, obj: dict) -> None:
        meta = obj["metadata"]
        choices = port_choices(kind, obj)
        app = self.host.app
        if not choices:  # nothing declared: any port may still listen (kubectl allows it)
            app.push_screen(
                PromptScreen(f"{kind.lower()} {meta['name']} declares no ports: forward "
                             "which port in the pod?", "", restrict=r"\d*"),
                lambda value: self._ask_local(kind, obj, PortChoice(
                    value, int(value), int(value))) if value else None)
            return
        if len(choices) == 1:
            self._ask_local(kind, obj, choices[0])
            return
        by_label = {c.label: c for c in choices}
        app.push_screen(PickScreen(f"forward which port of {meta['name']}?", list(by_label)),
                        lambda label: self._ask_local(kind, obj, by_label[label])
                        if label else None)

    def _ask_local(self, kind: str, obj: dict, choice: PortChoice) -> None:
        if not 0 < choice.port < 65536:
            self.host.notify(f"{choice.port} is not a port (1-65535)", severity="warning")
            return
        default = free_port(choice.port)

        def answered(value: str | None) -> None:
            if not value:
                return
            local = int(value)
            if not 0 < local < 65536:
                self.host.notify(f"{local} is not a port (1-65535)", severity="warning")
                return
            self.actions.in_thread(self._start_forward, kind, obj["metadata"]["namespace"],
                                   obj["metadata"]["name"], choice, local, group="forward")

        self.host.app.push_screen(PromptScreen(
            f"forward {choice.label} from which local port? (127.0.0.1 only)", str(default),
            restrict=r"\d*"), answered)

    def _start_forward(self, kind: str, ns: str, name: str, choice: PortChoice,
                       local: int) -> None:
        app = self.host.app
        if app.cluster is None:
            return
        try:
            fwd = app.forwards.start(app.cluster.client, kind, ns, name, choice, local)
        except (ApiError, OSError) as exc:
            log.error("cannot port-forward %s %s/%s", kind, ns, name, exc_info=True)
            message = exc.message if isinstance(exc, ApiError) else exc.strerror or str(exc)
            self.actions.say(f"cannot port-forward: {message}", severity="error")
            return
        self.actions.say(f"Forwarding {fwd.local} -> {fwd.target} (:pf to manage)", timeout=6)


__all__ = ["READONLY_WHY", "ForwardActions"]
