"""The one live lint of the connection (`live_lint`) and the glue the screens use: the
tables' markers and header count (`lint_marks`), describe's and the checklist's
findings, the note before deleting a StatefulSet. No widgets: screens and actions both
read it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from kubetui.diagnose import lint_report
from kubetui.diagnose.lint import KINDS, LintConfig
from kubetui.diagnose.lint_rules import Finding, delete_note, retained_claims
from kubetui.kube.kinds import KINDS as API_KINDS

if TYPE_CHECKING:
    from kubetui.kube.lint_feed import LiveLint


# -- the connection's live lint
def live_lint(app: Any) -> LiveLint | None:
    """The live lint of the app's connection: started on first use, anew after a
    context switch; None when `[lint] live = false` or not connected."""
    from kubetui.kube.lint_feed import LiveLint

    cluster = getattr(app, "cluster", None)
    current = getattr(app, "_live_lint", None)
    if current is not None and current.cluster is cluster:
        return current
    if current is not None:
        current.stop()
        app._live_lint = None
    settings = getattr(app, "settings", None)
    config, problems = LintConfig.from_table(getattr(settings, "lint", None) or {})
    if not getattr(app, "_lint_problems_said", False):
        app._lint_problems_said = True
        for problem in problems:
            app.notify(problem, title="Configuration", severity="warning", timeout=8)
    if cluster is None or not config.live:
        return None
    app._live_lint = LiveLint(cluster, config)
    return app._live_lint


def tick(app: Any) -> LiveLint | None:
    """Take the informers' changes into the lint (twice a second from the screens that
    show findings); pod metrics are read in a worker once a minute."""
    live = live_lint(app)
    if live is None:
        return None
    if not live.built:
        if live.ready_to_build():  # the big first pass: off the UI's thread
            live.building = True
            app.run_worker(live.build, thread=True, group="lint-build",
                           exit_on_error=False)
        return live
    live.refresh()
    if live.metrics_due():
        app.run_worker(live.poll_metrics, thread=True, group="lint-metrics",
                       exit_on_error=False)
    return live


START_AFTER = 5.0  # seconds: the lint starts when the first view is live, or by then


def lint_marks(app, kind: str, namespace: str | None, view=None):
    """For a table of `kind`: (the marker function of its rows, (header text, worst
    severity) or None, the lint's version), or (None, None, -1) with no lint. The live
    lint starts once the table's own stream (`view`, an InformerGroup) is live: the
    first rows on screen come first."""
    if getattr(app, "_live_lint", None) is None and view is not None and \
            view.health.state != "live":
        first = app.__dict__.setdefault("_lint_waiting_since", time.monotonic())
        if time.monotonic() - first < START_AFTER:
            return None, None, -1
    live = tick(app)
    if live is None or kind not in KINDS or kind == "Event" or not live.settled:
        return None, None, -1
    linter = live.linter
    count, worst = linter.flagged(kind, namespace)
    flag = (f"⚑ {count} with findings", worst) if count else None
    return (lambda key: linter.severity_of(kind, key)), flag, linter.version


def findings_of(app, kind: str, obj: dict) -> list[Finding]:
    live = getattr(app, "_live_lint", None)
    if live is None or live.cluster is not getattr(app, "cluster", None) or kind not in KINDS:
        return []
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace") if API_KINDS.get(kind) is None or API_KINDS[kind].namespaced \
        else None
    key = f"{ns}/{meta.get('name', '')}" if ns else meta.get("name", "")
    return live.linter.of(kind, key)


def describe_section(app, kind, obj: dict) -> str:
    """The `Lint:` block describe ends with ('' without findings)."""
    name = kind if isinstance(kind, str) else kind.kind
    return lint_report.section(findings_of(app, name, obj))


def sts_delete_note(app, sts: dict) -> str:
    """What deleting this StatefulSet leaves behind, said before it is deleted."""
    live = getattr(app, "_live_lint", None)
    ns = (sts.get("metadata") or {}).get("namespace", "")
    if live is not None and live.cluster is getattr(app, "cluster", None):
        claims = retained_claims(sts, live.linter.in_ns("PersistentVolumeClaim", ns))
    else:  # no live lint: the claims its templates make, by name
        spec = sts.get("spec") or {}
        claims = [{"metadata": {"name": f"{(t.get('metadata') or {}).get('name')}-"
                                        f"{sts['metadata']['name']}-{i}"}}
                  for t in spec.get("volumeClaimTemplates") or ()
                  for i in range(spec.get("replicas", 1))]
    return delete_note(sts, claims)
