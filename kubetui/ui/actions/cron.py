"""Cron job keys on the browser: `t` triggers a job now (from the template, as kubectl
create job --from does), `ctrl+s` suspends or resumes (k9s's keys; neither is bound on
the browser otherwise). Both ask first and are refused in read-only mode."""

from __future__ import annotations

from textual.binding import Binding

from kubetui.ui.actions.rows import RowActions

CRON_BINDINGS = [
    Binding("t", "trigger", "Trigger now", id="action.trigger"),
    Binding("ctrl+s", "suspend", "Suspend/resume", id="action.suspend"),
]


class CronActions:
    """The browser's cron job keys, on the selected row (`rows` finds and checks it)."""

    def __init__(self, rows: RowActions) -> None:
        self.rows = rows
        self.actions = rows.actions

    def trigger(self) -> None:
        target = self.rows.target(("CronJob",), "trigger")
        actions = self.actions.client()
        if target is None or actions is None:
            return
        _, ns, name = target
        self.actions.confirm_then(
            f"Trigger cronjob {ns}/{name} now? A job is created from its template.",
            lambda: self.actions.act(f"Triggered cronjob {name}: a job was created",
                              lambda: actions.trigger(ns, name)))

    def suspend(self) -> None:
        target = self.rows.target(("CronJob",), "suspend or resume")
        picked = self.rows.host.selected()
        actions = self.actions.client()
        if target is None or picked is None or actions is None:
            return
        _, ns, name = target
        suspended = bool((picked[1].get("spec") or {}).get("suspend"))
        verb = "resume" if suspended else "suspend"
        self.actions.confirm_then(
            f"{verb.capitalize()} cronjob {ns}/{name}? " + (
                "It runs on its schedule again." if suspended else
                "No job starts on its schedule until it is resumed."),
            lambda: self.actions.act(f"{verb.capitalize()}d cronjob {name}",
                              lambda: actions.suspend(ns, name, not suspended)))
