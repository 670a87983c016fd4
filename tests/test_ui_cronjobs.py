"""Cron jobs from the browser: `t` triggers a job now (as kubectl create job --from
makes it), `ctrl+s` suspends and resumes; each asks first, is checked through the API,
and is refused in read-only mode."""

from __future__ import annotations

import re

from conftest import make_namespace, wait_for, wait_until
from helpers import help_rows, show

from kubetui.ui.screens.modals import ConfirmScreen


def cronjob(name: str) -> dict:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "0 0 1 1 *", "jobTemplate": {
                "metadata": {"labels": {"team": "ops"}, "annotations": {"owner": "ops"}},
                "spec": {"backoffLimit": 2, "template": {"spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "backup", "image": "busybox:1.36"}]}}}}}}


def jobs_of(sim, ns: str) -> list[dict]:
    return sim.list("Job", ns)


async def test_trigger_creates_a_job_from_the_template(make_app, sim, notes):
    ns = make_namespace(sim, "cron-t")
    cj = sim.create("CronJob", ns, cronjob("backup"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", *f"ns {ns}", "enter")
        await show(pilot, app, "cj", "^backup$", 1)
        rows = await help_rows(pilot, app)
        assert (rows["Trigger now"], rows["Suspend/resume"]) == ("t", "^s")
        await pilot.press("t")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert jobs_of(sim, ns) == []  # asked first: nothing yet
        await pilot.press("y")
        job = wait_until(lambda: jobs_of(sim, ns) and jobs_of(sim, ns)[0])
        meta = job["metadata"]
        assert re.fullmatch(r"backup-manual-[a-z0-9]{5}", meta["name"])
        assert meta["annotations"] == {"owner": "ops", "cronjob.kubernetes.io/instantiate":
                                       "manual"}
        assert meta["labels"]["team"] == "ops"
        ref = meta["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == (
            "CronJob", "backup", cj["metadata"]["uid"], True)
        assert job["spec"]["backoffLimit"] == 2
        assert await wait_for(pilot, lambda: notes.said("Triggered cronjob backup"))
        assert notes.errors() == []


async def test_ctrl_s_suspends_and_resumes(make_app, sim):
    ns = make_namespace(sim, "cron-s")
    sim.create("CronJob", ns, cronjob("report"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", *f"ns {ns}", "enter")
        await show(pilot, app, "cj", "^report$", 1)
        table = app.browser.table
        column = table.columns.index("SUSPEND")
        assert table.row(f"{ns}/report")[0][column] == "False"
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith("Suspend cronjob")
        await pilot.press("y")
        wait_until(lambda: sim.get("CronJob", ns, "report")["spec"].get("suspend") is True)
        assert await wait_for(pilot, lambda: table.row(f"{ns}/report")[0][column] == "True")
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith("Resume cronjob")
        await pilot.press("y")
        wait_until(lambda: sim.get("CronJob", ns, "report")["spec"].get("suspend") is False)
        assert await wait_for(pilot, lambda: table.row(f"{ns}/report")[0][column] == "False")


async def test_read_only_refuses_trigger_and_suspend(make_app, sim, notes):
    ns = make_namespace(sim, "cron-ro")
    sim.create("CronJob", ns, cronjob("quiet"))
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", *f"ns {ns}", "enter")
        await show(pilot, app, "cj", "^quiet$", 1)
        for key in ("t", "ctrl+s"):
            notes.seen.clear()
            await pilot.press(key)
            assert await wait_for(pilot, lambda: notes.said("read-only mode"))
            assert not isinstance(app.screen, ConfirmScreen)
    assert jobs_of(sim, ns) == []
    assert not sim.get("CronJob", ns, "quiet")["spec"].get("suspend")
