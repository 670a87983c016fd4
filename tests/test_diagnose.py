"""The diagnosis rules, one test each, from pods and events captured off the demo
scenario (tests/fixtures/problems.json) and small hand-made objects."""

import copy
import json
from pathlib import Path

import pytest

from kubetui.diagnose import Evidence, build, diagnose, exitcodes, scheduling

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "problems.json").read_text())


def case(problem: str):
    c = FIXTURES[problem]
    return copy.deepcopy(c["pod"]), copy.deepcopy(c["events"])


def first(problem: str, **kw):
    pod, events = case(problem)
    found = diagnose(pod, events, **kw)
    assert found, f"no finding for {problem}"
    return found[0]


def test_unschedulable_names_cpu_and_the_taint_with_node_counts():
    f = first("unschedulable")
    assert f.rule == "unschedulable"
    assert "0/3 nodes fit" in f.cause
    assert "not enough free CPU (requests) on 2 nodes" in f.cause
    assert "a taint the pod does not tolerate on 1 node " \
           "(node-role.kubernetes.io/control-plane)" in f.cause
    assert any("requests cpu=" in e for e in f.evidence)


def test_unbound_pvc_names_the_claim_and_its_storage_class():
    pod, events = case("unbound-pvc")
    claim = next(v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"]
                 if "persistentVolumeClaim" in v)
    pvc = {"metadata": {"name": claim}, "spec": {"storageClassName": "fast-ssd"},
           "status": {"phase": "Pending"}}
    f = diagnose(pod, events, pvcs={claim: pvc})[0]
    assert f.rule == "unbound-pvc" and claim in f.cause
    assert f"PersistentVolumeClaim {claim}: Pending, storageClassName fast-ssd" in f.evidence


def test_image_pull_names_the_image_and_the_missing_tag():
    f = first("image-pull")
    assert f.rule == "image-pull"
    assert f.cause.startswith("ImagePullBackOff: the image busybox:1.36-does-not-exist "
                              "does not exist (no tag '1.36-does-not-exist' for busybox)")
    assert any("Failed to pull image" in e for e in f.evidence)


def test_image_pull_without_credentials_points_at_pull_secrets():
    pod, events = case("image-pull")
    for e in events:
        if "Failed to pull" in e["message"]:
            e["message"] = 'Failed to pull image "x": 401 Unauthorized: authentication required'
    f = diagnose(pod, events)[0]
    assert "credentials" in f.cause and "imagePullSecrets none set" in f.cause


def test_config_error_names_the_configmap_and_the_key():
    f = first("config-error")
    assert f.rule == "config-error"
    assert f.cause == ("CreateContainerConfigError: the ConfigMap payments/notifier-config "
                       "has no key SMTP_HOST")


def test_crashloop_decodes_the_exit_code_and_quotes_the_previous_logs():
    f = first("crashloop", previous_logs=["starting settlement run",
                                          "level=error msg=\"ledger unreachable\"",
                                          "exit_code=3"])
    assert f.rule == "crashloop"
    assert "keeps exiting with code 3" in f.cause
    assert "  exit_code=3" in f.evidence and "last lines of the previous container:" in f.evidence


def test_oom_names_the_memory_limit():
    pod, events = case("oom")
    limit = pod["spec"]["containers"][0]["resources"]["limits"]["memory"]
    f = diagnose(pod, events)[0]
    assert f.rule == "oom"
    assert f.cause.endswith(f"went over its memory limit of {limit}")
    assert f"memory limit: {limit}" in f.evidence


def test_liveness_failure_wins_over_the_crash_loop_it_causes():
    f = first("liveness")
    assert f.rule == "liveness"
    assert any(e.startswith("livenessProbe: http-get http://:9115/health") for e in f.evidence)
    assert any("last exit code 143: SIGTERM" in e for e in f.evidence)


def test_readiness_failure_shows_the_probe_settings():
    f = first("readiness")
    assert f.rule == "readiness"
    assert "gets no traffic" in f.cause
    assert any(e.startswith("readinessProbe: http-get http://:8081/ready") for e in f.evidence)


def test_a_healthy_pod_has_no_finding():
    pod, events = case("readiness")
    for cs in pod["status"]["containerStatuses"]:
        cs["ready"] = True
    for c in pod["status"]["conditions"]:
        c["status"] = "True"
    assert diagnose(pod, []) == []


def test_a_stuck_deletion_names_its_finalizers():
    pod, _ = case("readiness")
    pod["metadata"]["deletionTimestamp"] = "2026-11-26T08:00:00Z"
    pod["metadata"]["finalizers"] = ["example.com/cleanup"]
    assert any(f.rule == "terminating" and "example.com/cleanup" in f.cause
               for f in diagnose(pod, []))


@pytest.mark.parametrize("code,reason,words", [
    (137, "OOMKilled", "OOM killer"), (137, "Error", "SIGKILL"), (143, "Error", "SIGTERM"),
    (1, "Error", "exited with an error"), (126, "", "could not be executed"),
    (127, "", "command not found"), (139, "", "SIGSEGV"), (130, "", "SIGINT"),
    (42, "", "code 42")])
def test_exit_codes_in_words(code, reason, words):
    assert words in exitcodes.explain(code, reason)


def test_scheduling_messages_parse_into_counted_reasons():
    s = scheduling.parse("0/5 nodes are available: 3 node(s) didn't match Pod's node "
                         "affinity/selector, 2 Insufficient memory. preemption: 0/5 nodes")
    assert s.nodes == 5
    assert s.words() == ["the pod's nodeSelector / node affinity matches no label on 3 nodes",
                         "not enough free memory (requests) on 2 nodes"]


def test_the_checklist_of_a_crash_looping_pod():
    pod, events = case("crashloop")
    status = type("S", (), dict(done=False, failed="", message="Waiting for deployment",
                                desired=1, updated=1, ready=0, available=0))
    node = next(n for n in FIXTURES["nodes"] if n["metadata"]["name"] == pod["spec"]["nodeName"])
    c = build(Evidence(pod, events, events, logs={"settlement": ["starting settlement run"]},
                       previous_logs={"settlement": ["starting settlement run", "exit_code=3"]},
                       owner="Deployment payments/settlement", rollout=status, node=node,
                       metrics_error="metrics.k8s.io is not served: no metrics-server"))
    assert c.cause.rule == "crashloop"
    # exec: the container is waiting out its back-off, nothing runs to exec into
    assert c.verdicts() == ["problem", "problem", "problem", "problem", "unknown", "ok", "unknown"]
    assert c.steps[6].summary == "metrics.k8s.io is not served: no metrics-server"
    assert c.steps[0].evidence[0].startswith("event Warning BackOff")  # warnings first


@pytest.mark.parametrize("code,reason,words", [
    (137, "OOMKilled", "SIGKILL, OOMKilled"), (127, "", "command not found"),
    (3, "Error", "the application's own code; see its logs"), (130, "", "SIGINT")])
def test_exit_codes_in_a_few_words(code, reason, words):
    assert exitcodes.short(code, reason) == words
