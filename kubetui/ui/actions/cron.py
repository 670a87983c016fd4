"""Cron job keys on the browser: `t` triggers a job now (from the template, as kubectl
create job --from does), `ctrl+s` suspends or resumes (k9s's keys; neither is bound on
the browser otherwise). Both ask first and are refused in read-only mode."""

from __future__ import annotations

from textual.binding import Binding

CRON_BINDINGS = [
    Binding("t", "trigger", "Trigger now", id="action.trigger"),
    Binding("ctrl+s", "suspend", "Suspend/resume", id="action.suspend"),
]


class CronKeys:
    """Mixed into the browser screen: needs `_target`, `_actions`, `_act`, `selected`."""

    def action_trigger(self) -> None:
        target = self._target(("CronJob",), "trigger")
        if target is None:
            return
        _, ns, name = target
        actions = self._actions()
        self._confirm_then(
            f"Trigger cronjob {ns}/{name} now? A job is created from its template.",
            lambda: self._act(f"Triggered cronjob {name}: a job was created",
                              lambda: actions.trigger(ns, name)))

    def action_suspend(self) -> None:
        target = self._target(("CronJob",), "suspend or resume")
        if target is None:
            return
        _, ns, name = target
        suspended = bool((self.selected()[1].get("spec") or {}).get("suspend"))
        verb = "resume" if suspended else "suspend"
        actions = self._actions()
        self._confirm_then(
            f"{verb.capitalize()} cronjob {ns}/{name}? " + (
                "It runs on its schedule again." if suspended else
                "No job starts on its schedule until it is resumed."),
            lambda: self._act(f"{verb.capitalize()}d cronjob {name}",
                              lambda: actions.suspend(ns, name, not suspended)))
