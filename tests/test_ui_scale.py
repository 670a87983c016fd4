"""A big view formats only what it shows: rows are built when drawn (or read by a
filter or a sort), and a metrics read re-formats the screenful, not every pod."""

from __future__ import annotations

import pytest
from conftest import FAST, settled, wait_for
from helpers import command, filter_by

from kubetui.sim import SimCluster
from kubetui.ui.widgets.resource_table import PATCH_SAMPLE, SAMPLE

PODS = 3000


@pytest.fixture(scope="module")
def sim():
    cluster = SimCluster("demo", speed=FAST).start()
    cluster.wait_for(lambda: settled(cluster), timeout=30)
    cluster.bulk.load(PODS)
    yield cluster
    cluster.stop()


def drawn(table) -> str:
    """The table's lines as drawn now."""
    return "\n".join("".join(seg.text for seg in table.render_line(y))
                     for y in range(table.size.height))


def shown(app) -> int:
    browser = getattr(app, "_browser", None)
    return browser.table.row_count if browser is not None and browser.ready else 0


async def test_a_big_view_formats_the_rows_it_shows_not_every_pod(make_app, sim):
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        assert await wait_for(pilot, lambda: shown(app) >= PODS and app.browser.group.synced,
                              tries=600)
        await pilot.pause()
        rows = app.browser._rows.rows
        assert len(rows) >= PODS
        # the screenful and the widths' samples (a rebuild's, a few of each page), not
        # the 3,000 bulk pods and the demo's
        pages = len(rows) // 500 + 2
        assert rows.built <= SAMPLE + 2 * 40 + pages * PATCH_SAMPLE, rows.built
        await pilot.press("G")  # the last row: formatted when it comes into view
        last = app.browser.table.keys()[-1].rsplit("/", 1)[-1]
        assert await wait_for(pilot, lambda: last in drawn(app.browser.table))
        await filter_by(pilot, "-02999$")  # a filter reads every row (once)
        assert await wait_for(pilot, lambda: shown(app) == 1)
        rows = app.browser._rows.rows
        assert rows.built >= PODS
        await filter_by(pilot, "-02998$")  # another filter: the rows are formatted already
        assert await wait_for(pilot, lambda: shown(app) == 1 and "02998" in drawn(
            app.browser.table))
        assert app.browser._rows.rows is rows and rows.built - PODS <= 200


async def test_usage_columns_follow_each_metrics_read(make_app, sim, monkeypatch):
    """metrics.k8s.io is read every 15 s: each read shows, re-formatting the rows in
    view (the row function once held the first read's numbers for good)."""
    from kubetui.sim import metrics as sim_metrics

    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await command(pilot, "ns bulk")  # (the bulk pods: no filter)
        table = app.browser.table
        assert await wait_for(pilot, lambda: "CPU" in table.columns and shown(app) >= PODS,
                              tries=600)
        i = table.columns.index("CPU")

        def cpu_on_screen() -> set[str]:
            top = int(table.scroll_offset.y)
            return {table.row(k)[0][i] for k in table.keys()[top:top + 30]}
        assert await wait_for(pilot, lambda: cpu_on_screen() and "n/a" not in
                              cpu_on_screen() and not cpu_on_screen() & {"777m", "1554m"})
        monkeypatch.setattr(sim_metrics, "container_usage",
                            lambda pod, c, now: (0.777, 64 * 2**20))
        built = app.browser._rows.rows.built
        app.browser.poll_metrics()  # (what the 15 s timer does)
        every = {f"{777 * n}m" for n in (1, 2, 3)}  # 0.777 cores a container
        assert await wait_for(pilot, lambda: cpu_on_screen() <= every)
        assert app.browser._rows.rows.built - built <= 2 * 40  # the screenful, again


async def test_a_filtered_view_shows_each_metrics_read_without_formatting_pods_again(
        make_app, sim, monkeypatch):
    """With a filter on, a metrics read re-reads the usage cells of the rows the filter
    kept (they had kept the first read's numbers), and formats none of the pods' own
    cells again: a sort or filter after a read stays a frame's work."""
    from kubetui.sim import metrics as sim_metrics

    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await command(pilot, "ns bulk")
        table = app.browser.table
        assert await wait_for(pilot, lambda: "CPU" in table.columns and shown(app) >= PODS,
                              tries=600)
        await filter_by(pilot, "-0299[0-9]$")
        assert await wait_for(pilot, lambda: shown(app) == 10)
        i = table.columns.index("CPU")

        def cpus() -> set[str]:
            return {table.row(k)[0][i] for k in table.keys()}
        assert await wait_for(pilot, lambda: cpus() and "n/a" not in cpus())
        monkeypatch.setattr(sim_metrics, "container_usage",
                            lambda pod, c, now: (0.777, 64 * 2**20))
        rows = app.browser._rows.rows
        built = rows.built
        app.browser.poll_metrics()  # (what the 15 s timer does)
        assert await wait_for(pilot, lambda: cpus() <= {f"{777 * n}m" for n in (1, 2, 3)})
        assert app.browser._rows.rows is rows and rows.built - built <= 10  # (churn only)
