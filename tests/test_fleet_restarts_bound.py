"""The fleet's RESTARTS/1H counts the restarts it saw happen, and one for each pod whose
last restart was in the hour when first seen: a pod first seen with 6 restarts counted
1, shown as if exact. It says "≥" until the count is exact (those last restarts an hour
old)."""

from __future__ import annotations

import time

from kubetui.kube.fleet import Row
from kubetui.kube.fleet_watch import PodSums
from kubetui.ui.screens.fleet import COLUMNS, cells


def pod(restarts: int, last: float) -> tuple:
    return ("Running", True, restarts, last, 100, 1 << 20)  # (PodRow)


def test_a_count_that_started_from_pods_already_restarting_is_a_lower_bound():
    now = time.time()
    sums = PodSums()
    sums.add(pod(6, now - 600), None)  # six restarts, the last ten minutes ago
    sums.add(pod(0, 0.0), None)
    assert sums.restarts_since(now - 3600) == 1
    assert now < sums.inexact_until == now - 600 + 3600
    row = Row(context="c", file="/kc", pods_total=2, restarts_1h=1,
              restarts_at_least=now < sums.inexact_until)
    shown = dict(zip(COLUMNS, cells(row, now)[0], strict=False))
    assert shown["RESTARTS/1H"] == "≥1"
    # a pod first seen with one restart, in the hour: exact
    exact = PodSums()
    exact.add(pod(1, now - 600), None)
    assert exact.inexact_until < now
    shown = dict(zip(COLUMNS, cells(Row(context="c", file="/kc", pods_total=1,
                                        restarts_1h=1), now)[0], strict=False))
    assert shown["RESTARTS/1H"] == "1"
