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
