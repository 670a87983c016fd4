"""`e` edits an object in $KUBE_EDITOR as kubectl edit does (a script stands in for the
editor: Pilot runs headless, so the app has no terminal to hand over): dry run, diff,
confirm, PUT at the version read; a 409, a 422 or broken YAML reopen the editor with a
comment at the top; an unchanged file does nothing. `:apply DIR` applies manifests
server-side. Everything is checked through the API; read-only mode refuses."""

from __future__ import annotations

import pytest
import yaml
from conftest import deployment, make_namespace, wait_for, wait_until
from helpers import FakeEditor, show

from kubetui.ui.screens.modals import ConfirmScreen

SET_REPLICAS = "text = text.replace('replicas: 2', 'replicas: {n}', 1)"


def replicas(sim, ns: str, name: str) -> int:
    return sim.get("Deployment", ns, name)["spec"]["replicas"]


async def open_editor(pilot, app, ns: str, name: str) -> None:
    await pilot.press("colon", *f"ns {ns}", "enter")
    await show(pilot, app, "deploy", f"^{name}$", 1)
    await pilot.press("e")


async def test_edit_shows_the_dry_run_diff_then_writes(make_app, sim, tmp_path, monkeypatch, notes):
    ns = make_namespace(sim, "edit-ok")
    sim.create("Deployment", ns, deployment("web", replicas=2))
    wait_until(lambda: (sim.get("Deployment", ns, "web").get("status") or {}).get(
        "replicas") == 2, timeout=30)
    editor = FakeEditor(tmp_path, monkeypatch, [SET_REPLICAS.format(n=3)])
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_editor(pilot, app, ns, "web")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), tries=400)
        given = editor.seen[0]
        assert given.startswith("# Please edit the object below.")
        shown = yaml.safe_load(given)
        assert "status" not in shown and "managedFields" not in shown["metadata"]
        assert shown["metadata"]["resourceVersion"]
        assert "-  replicas: 2" in app.screen.detail and "+  replicas: 3" in app.screen.detail
        assert replicas(sim, ns, "web") == 2  # the dry run stored nothing
        await pilot.press("y")
        wait_until(lambda: replicas(sim, ns, "web") == 3)
        assert await wait_for(pilot, lambda: notes.said("deployment web edited"))
        assert notes.errors() == []


@pytest.mark.parametrize("step", ["pass", "text = ''"], ids=["unchanged", "emptied"])
async def test_unchanged_or_emptied_file_does_nothing(make_app, sim, tmp_path, monkeypatch,
                                                      step, notes):
    ns = make_namespace(sim, f"edit-same-{len(step)}")
    sim.create("Deployment", ns, deployment("same", replicas=2))
    FakeEditor(tmp_path, monkeypatch, [step])
    before = sim.get("Deployment", ns, "same")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_editor(pilot, app, ns, "same")
        assert await wait_for(pilot, lambda: notes.said("Edit cancelled, no changes made."),
                              tries=400)
    after = sim.get("Deployment", ns, "same")  # (its status moves on: spec and generation)
    assert (after["metadata"]["generation"], after["spec"]) == (
        before["metadata"]["generation"], before["spec"])


async def test_invalid_yaml_then_422_reopen_with_the_error_on_top(make_app, sim, tmp_path,
                                                                  monkeypatch):
    ns = make_namespace(sim, "edit-bad")
    sim.create("Deployment", ns, deployment("bad", replicas=2))
    editor = FakeEditor(tmp_path, monkeypatch, [
        "text = text + 'oops: [\\n'",  # broken YAML
        "text = text.replace('oops: [\\n', '').replace('replicas: 2', 'replicas: -1', 1)",
        "text = text.replace('replicas: -1', 'replicas: 4', 1)"])
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_editor(pilot, app, ns, "bad")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), tries=600)
        seen = editor.seen
        assert len(seen) == 3
        assert "# The edited file had a syntax error:" in seen[1]
        assert seen[2].startswith("# Please edit the object below.")
        assert '# deployments.apps "bad" was not valid:\n' \
               "# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n" \
               in seen[2]
        assert replicas(sim, ns, "bad") == 2
        await pilot.press("y")
        wait_until(lambda: replicas(sim, ns, "bad") == 4)


async def test_a_conflict_reopens_with_the_new_version_and_the_change(make_app, sim, tmp_path,
                                                                      monkeypatch):
    ns = make_namespace(sim, "edit-409")
    sim.create("Deployment", ns, deployment("race", replicas=2))
    path = f"{sim.url}/apis/apps/v1/namespaces/{ns}/deployments/race"
    editor = FakeEditor(tmp_path, monkeypatch, [
        # someone else changes it while the file is open; the user sets replicas 5
        f"merge_patch({path!r}, {{'metadata': {{'labels': {{'touched': 'yes'}}}}}})\n" +
        SET_REPLICAS.format(n=5),
        "pass"])  # the reopened file is saved as it is
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_editor(pilot, app, ns, "race")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), tries=600)
        second = editor.seen[1]
        assert 'deployments.apps "race" was changed on the server since you opened it ' \
               "(Operation cannot be fulfilled on deployments.apps \"race\": the object has " \
               "been modified; please apply your changes to the latest version and try " \
               "again)" in second.replace("\n# ", " ")
        reopened = yaml.safe_load(second)
        assert reopened["metadata"]["labels"]["touched"] == "yes"  # the server's version
        assert reopened["spec"]["replicas"] == 5  # and the user's change
        await pilot.press("y")
        wait_until(lambda: replicas(sim, ns, "race") == 5)
        assert sim.get("Deployment", ns, "race")["metadata"]["labels"]["touched"] == "yes"


async def test_apply_a_folder_server_side_after_a_diff(make_app, sim, tmp_path, monkeypatch,
                                                      notes):
    ns = make_namespace(sim, "apply-dir")
    sim.create("Deployment", ns, deployment("api", replicas=1))
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "cm.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": ns}, "data": {"mode": "fast"}}))
    (folder / "deploy.yaml").write_text(yaml.safe_dump(
        {**deployment("api", replicas=3), "metadata": {"name": "api", "namespace": ns,
                                                        "labels": {"app": "api"}}}))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        monkeypatch.chdir(tmp_path)  # typed relative to where kubetui runs, as people do:
        await pilot.press("colon", *"apply manifests", "enter")  # (a key press costs 0.1 s)
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), tries=400)
        detail = app.screen.detail
        assert f"# configmap {ns}/settings: created" in detail
        assert f"# deployment {ns}/api: configured" in detail
        assert "+  replicas: 3" in detail
        assert sim.get("ConfigMap", ns, "settings") is None  # dry run only so far
        await pilot.press("y")
        wait_until(lambda: sim.get("ConfigMap", ns, "settings") is not None)
        wait_until(lambda: replicas(sim, ns, "api") == 3)
        managers = {m["manager"] for m in sim.get("ConfigMap", ns, "settings")[
            "metadata"]["managedFields"]}
        assert "kubetui" in managers
        assert await wait_for(pilot, lambda: notes.said("Applied 2 of 2"))
        assert notes.errors() == []


async def test_read_only_refuses_edit_and_apply(make_app, sim, tmp_path, monkeypatch, notes):
    ns = make_namespace(sim, "edit-ro")
    sim.create("Deployment", ns, deployment("ro", replicas=2))
    editor = FakeEditor(tmp_path, monkeypatch, [SET_REPLICAS.format(n=3)])
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_editor(pilot, app, ns, "ro")
        assert await wait_for(pilot, lambda: notes.said("refusing to edit"))
        monkeypatch.chdir(tmp_path)  # (typing the whole tmp_path cost 7 s)
        await pilot.press("colon", *"apply .", "enter")
        assert await wait_for(pilot, lambda: notes.said("refusing to apply"))
    assert editor.seen == []
    assert replicas(sim, ns, "ro") == 2
