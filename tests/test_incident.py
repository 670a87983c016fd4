"""`kubetui diagnose` and `kubetui report` without the TUI: the cause and the seven steps
of each demo problem, exit codes for scripts, the incident bundle's sections with secrets
masked, and the same answers over saved files (`kubectl cluster-info dump`)."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from conftest import wait_until

from kubetui.cli_diagnose import diagnose_main, report_main

PROBLEMS = [("payments", "settlement", "crashloop"), ("payments", "fraud-check", "image-pull"),
            ("payments", "reconciler", "unschedulable"), ("payments", "archiver", "unbound-pvc"),
            ("payments", "notifier", "config-error"), ("shop", "search", "readiness"),
            ("monitoring", "blackbox", "liveness")]


def diagnose(capsys, *argv: str) -> tuple[int, str]:
    code = diagnose_main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("namespace,name,rule", PROBLEMS, ids=[p[1] for p in PROBLEMS])
def test_diagnose_names_each_demo_problem(capsys, kubeconfig, namespace, name, rule):
    def answer():
        code, out = diagnose(capsys, f"deploy/{name}", "-n", namespace, "--kubeconfig",
                             kubeconfig, "-o", "json")
        found = json.loads(out)
        return (code, found) if (found["cause"] or {}).get("rule") == rule else None
    code, found = wait_until(answer, timeout=60)
    assert code == 1
    assert found["target"] == f"deployment/{name}" and found["pod"].startswith(f"{name}-")
    assert [s["name"] for s in found["steps"]] == ["describe", "logs", "events", "rollout",
                                                   "exec", "node", "top"]
    assert all(s["verdict"] in ("ok", "problem", "unknown") for s in found["steps"])


@pytest.mark.parametrize("namespace,name,rule", PROBLEMS, ids=[p[1] for p in PROBLEMS])
def test_each_demo_problems_timeline_and_report(tmp_path, capsys, kubeconfig, namespace,
                                                name, rule):
    from kubetui.kube.client import KubeClient
    from kubetui.kube.config import load_kubeconfig
    from kubetui.kube.incident import gather_incident
    client = KubeClient.connect(load_kubeconfig([kubeconfig]))
    try:
        incident = wait_until(lambda: (lambda i: i if i.checklist.cause and
                                       i.checklist.cause.rule == rule else None)(
            gather_incident(client, f"deploy/{name}", namespace)), timeout=60)
    finally:
        client.close()
    first = incident.timeline.first_bad
    assert first is not None and first.bad, [e.text for e in incident.timeline.entries]
    assert incident.timeline.cause_candidate is not None  # what came just before it
    out = tmp_path / f"{name}.md"
    assert report_main([f"deploy/{name}", "-n", namespace, "--kubeconfig", kubeconfig,
                        "-o", str(out)]) == 1
    text = out.read_text()
    assert all(section in text for section in ("## Most likely cause", "## Checklist",
                                               "## Timeline", "FIRST BAD", "## Describe"))
    lint = text.split("## Footgun lint", 1)[1].split("## See it again", 1)[0]
    # each finding (rule and subject: its counts, e.g. restarts, move on in a live cluster
    # between the two looks)
    assert incident.findings and all(": ".join(f"{f}".split(": ", 2)[:2]) in lint
                                     for f in incident.findings)


def test_diagnose_exit_codes_for_a_healthy_and_a_missing_target(capsys, kubeconfig):
    code, out = diagnose(capsys, "deploy/cart", "-n", "shop", "--kubeconfig", kubeconfig)
    assert code == 0 and "no cause found: shop/cart-" in out
    code = diagnose_main(["deploy/nope", "-n", "shop", "--kubeconfig", kubeconfig])
    err = capsys.readouterr().err
    assert code == 2 and 'deployments.apps "nope" not found' in err


def test_a_report_has_every_section_and_marks_the_first_bad_event(tmp_path, capsys,
                                                                 kubeconfig):
    out = tmp_path / "fraud.md"
    wait_until(lambda: diagnose_main(["deploy/fraud-check", "-n", "payments", "--kubeconfig",
                                      kubeconfig]) == 1)
    capsys.readouterr()
    assert report_main(["deploy/fraud-check", "-n", "payments", "--kubeconfig", kubeconfig,
                        "-o", str(out), "--tar"]) == 1
    text = out.read_text()
    for section in ("## Most likely cause", "## Checklist", "## Timeline", "## Describe",
                    "## Rollout history", "## Node ", "## Footgun lint",
                    "## See it again with kubectl"):
        assert section in text, section
    assert "ImagePullBackOff" in text and "FIRST BAD pod/fraud-check-" in text
    assert "just before replicaset/fraud-check-" in text
    assert "kubectl describe pod fraud-check-" in text
    listing = subprocess.run(["tar", "tzf", f"{out}.tar.gz"], capture_output=True,
                             text=True).stdout.split()
    assert listing == ["fraud.md", "incident.json"]


@pytest.fixture(scope="module")
def dump(sim, kubeconfig, kubectl_bin, tmp_path_factory):
    """The demo as `kubectl cluster-info dump` saves it (logs included)."""
    folder = tmp_path_factory.mktemp("dump")
    wait_until(lambda: any(cs.get("restartCount") for p in sim.list("Pod", "payments")
                           for cs in (p.get("status") or {}).get("containerStatuses") or ()))
    subprocess.run([kubectl_bin, "--kubeconfig", kubeconfig, "cluster-info", "dump", "-A",
                    "--output-directory", str(folder)], check=True, capture_output=True,
                   timeout=120)
    return folder


@pytest.mark.parametrize("namespace,name,rule", PROBLEMS[:3], ids=[p[1] for p in PROBLEMS[:3]])
def test_diagnose_over_a_cluster_info_dump(capsys, dump, namespace, name, rule):
    code, out = diagnose(capsys, f"deploy/{name}", "-n", namespace, "--from", str(dump),
                         "-o", "json")
    assert code == 1 and json.loads(out)["cause"]["rule"] == rule


def test_secret_values_and_tokens_never_reach_a_report(tmp_path, capsys):
    secret = "hunter2-correct-horse"
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLXZhbHVl"
    pod = {"kind": "Pod", "apiVersion": "v1", "metadata": {
        "name": "api-1", "namespace": "shop", "uid": "u1",
        "creationTimestamp": "2026-11-30T10:00:00Z"},
        "spec": {"nodeName": "n1", "containers": [{"name": "api", "image": "api:1", "env": [
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db",
                                                                   "key": "password"}}}]}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "api", "restartCount": 3, "ready": False,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                         "finishedAt": "2026-11-30T10:05:00Z"}}}]}}
    db = {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "db", "namespace": "shop"},
          "data": {"password": base64.b64encode(secret.encode()).decode()}}
    (tmp_path / "shop" / "api-1").mkdir(parents=True)
    (tmp_path / "shop" / "pods.json").write_text(json.dumps({"kind": "PodList",
                                                             "items": [pod]}))
    (tmp_path / "shop" / "secrets.json").write_text(json.dumps({"kind": "SecretList",
                                                                "items": [db]}))
    (tmp_path / "shop" / "api-1" / "logs.txt").write_text(
        f"connecting with password {secret}\nAuthorization: Bearer {jwt}\nfatal\n")
    out = tmp_path / "report.md"
    assert report_main(["pod/api-1", "-n", "shop", "--from", str(tmp_path), "-o", str(out),
                        "--tar"]) == 1
    text = out.read_text()
    assert "CrashLoopBackOff" in text and "********" in text
    assert secret not in text and jwt not in text and "eyJhbGci" not in text
    raw = subprocess.run(["tar", "xzOf", f"{out}.tar.gz", "incident.json"],
                         capture_output=True, text=True).stdout
    assert raw and secret not in raw and "eyJhbGci" not in raw
    code, shown = diagnose(capsys, "api-1", "-n", "shop", "--from", str(tmp_path))
    assert code == 1 and secret not in shown


async def test_t_in_the_checklist_shows_the_timeline_and_b_writes_the_report(
        make_app, sim, tmp_path, monkeypatch, notes):
    from conftest import wait_for
    from helpers import select

    from kubetui.ui.screens.checklist import ChecklistScreen
    from kubetui.ui.screens.timeline import TimelineScreen
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deploy", "^fraud-check$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.checklist is not None)
        await pilot.press("t")
        assert await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen)
                              and app.screen.timeline is not None, tries=400)
        first = app.screen.timeline.first_bad
        assert first is not None and first.subject.startswith("pod/fraud-check-")
        assert app.screen.timeline.cause_candidate.subject.startswith("replicaset/")
        await pilot.press("escape", "b")
        assert await wait_for(pilot, lambda: any(m.startswith("Report written to")
                                                 for m, _ in notes.seen), tries=400)
        reports = list((tmp_path / "kubetui-reports").glob("payments_deployment_fraud-"
                                                            "check-*.md"))
        assert len(reports) == 1 and "## Timeline" in reports[0].read_text()
        assert not notes.errors()
