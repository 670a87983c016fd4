"""`kubetui lint` against the demo cluster and saved files: what it prints (text, JSON,
markdown), its exit codes (1 past the threshold, 0 below, 2 when it could not look),
and rules turned off by flag and by config."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from conftest import wait_until

from kubetui.diagnose.lint import RULES

# what the demo shows within seconds (cronjob-overlap needs two wall-clock minutes: the
# UI test waits for it)
QUICK = set(RULES) - {"cronjob-overlap"}


def lint(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "kubetui", "lint", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def demo(sim, kubeconfig):
    """The demo once its footguns show: OOM kills, liveness restarts, the later/ step."""
    def ready() -> bool:
        attic = sim.get("Namespace", None, "attic")
        blackbox = [p for p in sim.list("Pod", "monitoring")
                    if p["metadata"]["name"].startswith("blackbox")]
        return bool(attic and (attic.get("status") or {}).get("conditions")) and any(
            cs.get("restartCount", 0) for p in blackbox
            for cs in (p.get("status") or {}).get("containerStatuses") or ())
    wait_until(ready, timeout=60)
    return kubeconfig


def test_json_lists_every_footgun_of_the_demo_and_exits_1(demo):
    proc = lint("--kubeconfig", demo, "-o", "json")
    assert proc.returncode == 1, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["rule"] for r in rows} >= QUICK
    for r in rows:
        assert {"rule", "severity", "kind", "namespace", "name", "message", "fix"} <= set(r)
        assert r["fix"].strip()
    by = {(r["rule"], r["kind"], r["namespace"], r["name"]) for r in rows}
    for expected in [("stale-config", "Deployment", "legacy", "wiki"),
                     ("namespace-stuck", "Namespace", "", "attic"),
                     ("selector-no-pods", "Service", "legacy", "checkout"),
                     ("hpa-without-requests", "HorizontalPodAutoscaler", "legacy", "wiki"),
                     ("database-deployment", "Deployment", "legacy", "orders-db"),
                     ("tight-memory-limit", "Deployment", "shop", "recommender"),
                     ("liveness-probe", "Deployment", "monitoring", "blackbox"),
                     ("nodeport", "Service", "monitoring", "grafana")]:
        assert expected in by, expected
    assert "Traceback" not in proc.stderr


def test_text_and_markdown_and_the_threshold(demo):
    proc = lint("--kubeconfig", demo, "-n", "payments")
    assert proc.returncode == 1  # warnings: db-migrate and nightly-report ask for nothing
    assert "▲ warning missing-requests" in proc.stdout and "Job payments/db-migrate" in \
        proc.stdout and "CronJob payments/nightly-report" in proc.stdout
    assert "legacy" not in proc.stdout  # -n keeps to its namespace
    assert lint("--kubeconfig", demo, "-n", "payments", "--fail-on", "error").returncode == 0
    md = lint("--kubeconfig", demo, "-n", "legacy", "-o", "markdown", "--fail-on", "error")
    assert md.returncode == 1  # selector-no-pods and hpa-without-requests are errors
    assert md.stdout.startswith("## kubetui lint") and "| `selector-no-pods` |" in md.stdout


def test_rules_turned_off_by_flag_and_by_config(demo, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[lint]\ndisabled = ["default-service-account"]\n'
                      '[lint.namespaces.legacy]\ndisabled = ["*"]\n')
    proc = lint("--kubeconfig", demo, "-o", "json", "--config", str(config),
                "--disable", "latest-tag")
    rules = {(r["rule"], r["namespace"]) for r in json.loads(proc.stdout)}
    assert not [r for r in rules if r[0] in ("default-service-account", "latest-tag")]
    assert not [r for r in rules if r[1] == "legacy"] and rules
    bad = lint("--kubeconfig", demo, "--disable", "no-such-rule")
    assert bad.returncode == 2 and "no rule no-such-rule" in bad.stderr


def test_saved_kubectl_json_files_lint_as_the_cluster_does(demo, kubectl, tmp_path):
    kinds = "pods,deploy,sts,ds,jobs,cronjobs,svc,cm,sa,pvc,hpa,ns"
    (tmp_path / "all.json").write_text(kubectl("get", kinds, "-A", "-o", "json",
                                               "--show-managed-fields").stdout)
    (tmp_path / "events.yaml").write_text(kubectl(
        "get", "events", "-A", "--field-selector", "reason=Unhealthy", "-o", "yaml").stdout)
    saved = lint("--from", str(tmp_path), "-o", "json")
    live = lint("--kubeconfig", demo, "-o", "json")
    assert saved.returncode == 1, saved.stderr
    assert {r["rule"] for r in json.loads(saved.stdout)} == {
        r["rule"] for r in json.loads(live.stdout)}
    legacy = lint("--from", str(tmp_path), "-n", "legacy", "-o", "json")
    assert {r["namespace"] for r in json.loads(legacy.stdout)} == {"legacy"}


def test_exit_2_when_it_could_not_look(tmp_path):
    missing = lint("--from", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    assert missing.stdout == ""
    with socket.socket() as s:  # a port on loopback that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kc = tmp_path / "kubeconfig"
    kc.write_text(f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: u, user: {{token: t}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
""")
    gone = lint("--kubeconfig", str(kc), timeout=180)
    assert gone.returncode == 2 and "cannot read http://127.0.0.1" in gone.stderr
    assert "Traceback" not in gone.stderr


def test_a_kind_it_may_not_list_is_named_and_exits_2(demo, monkeypatch, capsys):
    """A CI token without secrets: the run says so and does not pass quietly."""
    from kubetui.cli import main
    from kubetui.kube.client import ApiError, KubeClient

    real = KubeClient.request

    def no_secrets(self, method, path, query=None, body=None, **kw):
        if path.endswith("/secrets"):
            raise ApiError(403, "Forbidden", 'secrets is forbidden: User "ci" cannot list '
                                             'resource "secrets"')
        return real(self, method, path, query, body, **kw)

    monkeypatch.setattr(KubeClient, "request", no_secrets)
    assert main(["lint", "--kubeconfig", demo, "-o", "json"]) == 2
    out = capsys.readouterr()
    assert "could not read secrets: secrets is forbidden" in out.err
    assert json.loads(out.out)  # what it could read, it still reports
    assert main(["lint", "--kubeconfig", demo, "-o", "json", "--disable",
                 "stale-config", "--disable", "namespace-stuck"]) == 1  # no need to look
