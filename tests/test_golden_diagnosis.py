"""Diagnosis against a real v1.36.2 scheduler and real pod objects
(tests/fixtures/real-k8s/, see PROVENANCE.md there): every FailedScheduling message the
real scheduler wrote is read as a person would read it, and every captured pod case gets
the verdict a person would give. The expectations are written here, by hand, from the
messages and statuses; no code path knows these names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubetui.diagnose import Evidence, build, diagnose, scheduling
from kubetui.diagnose.checklist import UNKNOWN, headline

REAL = Path(__file__).parent / "fixtures" / "real-k8s"

# scheduling case -> what the newest FailedScheduling message says, in kubetui's words
SCHEDULING = {
    "hostport-conflict": ["the requested host port is taken on 1 node",
                          "the pod's nodeSelector / node affinity matches no label on 2 nodes"],
    "insufficient-cpu": ["not enough free CPU (requests) on 3 nodes"],
    "insufficient-cpu-and-memory": ["not enough free CPU (requests) on 3 nodes",
                                    "not enough free memory (requests) on 3 nodes"],
    "insufficient-cpu.during-taint": ["not enough free CPU (requests) on 3 nodes"],
    "insufficient-memory": ["not enough free memory (requests) on 3 nodes"],
    "node-affinity": ["the pod's nodeSelector / node affinity matches no label on 3 nodes"],
    "node-selector": ["the pod's nodeSelector / node affinity matches no label on 3 nodes"],
    "pod-anti-affinity": ["pod affinity / anti-affinity rules rule it out on 3 nodes"],
    "pvc-bad-storageclass": ["a PersistentVolumeClaim it mounts is not bound to a volume"],
    "pvc-missing": ["the PersistentVolumeClaim no-such-claim it mounts does not exist"],
    "too-many-pods": ["the pod limit is reached on 1 node",
                      "the pod's nodeSelector / node affinity matches no label on 2 nodes"],
    "topology-spread": ["topology spread constraints rule it out on 1 node",
                        "the pod's nodeSelector / node affinity matches no label on 2 nodes"],
    "topology-spread-missing-label": [
        "topology spread constraints rule it out on 3 nodes (the nodes lack the topology "
        "key's label)"],
    "untolerated-taint": ["a taint the pod does not tolerate on 3 nodes"],
}

# pod case -> the rule a person would name first (None: nothing is wrong)
CASES = {
    "completed": None, "container-creating": None, "running-ready": None, "sidecar": None,
    "init-0-of-2": None, "init-1-of-2": None, "pod-initializing": None,
    "sidecar-starting": None,
    "crashloop": "crashloop", "crashloop-sidecar-main": "crashloop",
    "init-crashloop": "crashloop", "restarted-5m-ago": "crashloop",
    "create-container-config-error": "config-error", "multi-one-waiting": "config-error",
    "err-image-pull": "image-pull", "image-pull-backoff": "image-pull",
    "error": "failed", "exitcode-3": "failed", "signal-9": "failed", "init-error": "failed",
    "evicted": "evicted", "evicted-no-container-state": "evicted",
    "node-lost": "node-lost", "node-lost-terminating": "node-lost",
    "nominated": "unschedulable", "scheduling-gated": "gated", "pending": "not-started",
    "oomkilled": "oom", "readiness-gates": "readiness-gates",
    "not-ready": "not-ready", "not-ready-completed": "not-ready",
    "running-not-ready": "not-ready", "terminating": "terminating",
}


def _load(path: Path):
    return json.loads(path.read_text())


def _failed_scheduling(case: str) -> list[dict]:
    events = _load(REAL / "scheduling" / f"{case}.events.json")["core_v1"]["items"]
    return [e for e in events if e.get("reason") == "FailedScheduling"]


def _newest(events: list[dict]) -> dict:
    def when(e):
        return ((e.get("series") or {}).get("lastObservedTime") or e.get("lastTimestamp")
                or e.get("eventTime") or "")
    return max(events, key=when)


def test_every_scheduling_case_is_covered():
    on_disk = {p.name.removesuffix(".events.json")
               for p in (REAL / "scheduling").glob("*.events.json")}
    assert on_disk - {"node-selector.during-taint", "payments-bigjob-16cpu",
                      "payments-reconciler-64cpu"} == set(SCHEDULING)


@pytest.mark.parametrize("path", sorted((REAL / "scheduling").glob("*.events.json")),
                         ids=lambda p: p.name.removesuffix(".events.json"))
def test_every_real_failedscheduling_message_parses_to_counted_reasons(path):
    for event in _failed_scheduling(path.name.removesuffix(".events.json")):
        message = event["message"]
        parsed = scheduling.parse(message)
        assert parsed.nodes == int(message.split("/", 2)[1].split()[0]), message
        assert parsed.reasons, message
        for count, reason in parsed.reasons:
            # the preemption and claims sentences are not reasons; nothing leaks in
            assert "preemption" not in reason.lower() and "claims" not in reason, reason
            assert not reason.endswith("."), reason
            assert count is None or 0 < count <= parsed.nodes
        words = " ".join(parsed.words())
        assert "no new claims" not in words and "Preemption" not in words, words


@pytest.mark.parametrize("case", sorted(SCHEDULING))
def test_the_newest_scheduling_message_says_what_a_person_reads(case):
    parsed = scheduling.parse(_newest(_failed_scheduling(case))["message"])
    assert parsed.words() == SCHEDULING[case]


@pytest.mark.parametrize("case", sorted(SCHEDULING))
def test_the_pending_pod_is_diagnosed_from_the_real_events(case):
    pod = _load(REAL / "scheduling" / f"{case}.pod.json")
    events = _load(REAL / "scheduling" / f"{case}.events.json")["core_v1"]["items"]
    finding = diagnose(pod, events)[0]
    if "PersistentVolumeClaim" in SCHEDULING[case][0]:
        assert finding.rule == "unbound-pvc"
    else:
        assert finding.rule == "unschedulable"
        assert finding.cause.startswith("Pending, unschedulable (0/3 nodes fit): ")
        assert finding.cause.endswith("; ".join(SCHEDULING[case])), finding.cause


def test_untolerated_taints_are_named_from_the_nodes():
    """1.36 no longer names the taint in its message; the nodes do."""
    pod = _load(REAL / "scheduling" / "untolerated-taint.pod.json")
    events = _load(REAL / "scheduling" / "untolerated-taint.events.json")["core_v1"]["items"]
    node = _load(REAL / "scheduling" / "untolerated-taint.node-worker-1.json")
    taint = node["spec"]["taints"][0]
    finding = diagnose(pod, events, nodes=[node])[0]
    assert any(line.startswith(f"node {node['metadata']['name']} taints: {taint['key']}")
               for line in finding.evidence), finding.evidence


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_real_pod_case_gets_the_verdict_a_person_gives(case):
    pod = _load(REAL / "cases" / f"{case}.pod.json")
    findings = diagnose(pod, [])
    assert (findings[0].rule if findings else None) == CASES[case], \
        [(f.rule, f.cause) for f in findings]


def test_every_pod_case_is_covered():
    assert {p.name.removesuffix(".pod.json") for p in (REAL / "cases").glob("*.pod.json")} \
        == set(CASES)


@pytest.mark.parametrize("case", ["completed", "container-creating", "running-ready"])
def test_a_checklist_with_no_cause_says_what_it_could_not_see(case):
    pod = _load(REAL / "cases" / f"{case}.pod.json")
    c = build(Evidence(pod, unread={"events": "connection refused"}))
    line = headline(c)
    phase = pod["status"]["phase"]
    assert line.startswith(f"cases/{case} is {phase}, ")
    assert "could not tell:" in line and "describe" in line and "events" in line
    assert c.steps[0].verdict == UNKNOWN and c.steps[2].verdict == UNKNOWN


def test_a_crash_loop_whose_logs_could_not_be_fetched_is_unknown_not_empty():
    pod = _load(REAL / "cases" / "crashloop.pod.json")
    name = pod["spec"]["containers"][0]["name"]
    error = 'Get "https://127.0.0.1:10250/containerLogs/...": connect: connection refused'
    c = build(Evidence(pod, logs={name: error}, previous_logs={name: error}))
    assert c.cause.rule == "crashloop"
    assert not any("wrote no logs" in e for e in c.cause.evidence), c.cause.evidence
    assert any("could not be read" in e and "connection refused" in e
               for e in c.cause.evidence)
    logs = c.steps[1]
    assert logs.verdict == UNKNOWN
    assert "no previous container" not in logs.summary
    assert "could not be read" in logs.summary
    assert any("could not read" in line for line in logs.evidence)


def test_a_pending_pod_no_scheduler_saw_is_a_problem():
    pod = _load(REAL / "cases" / "nominated.pod.json")
    pod["status"] = {"phase": "Pending", "qosClass": "Burstable"}  # as created, never seen
    finding = diagnose(pod, [])[0]
    assert finding.rule == "not-scheduled"
    assert "no scheduler has looked at it" in finding.cause
    assert f"is {pod['spec']['schedulerName']} running?" in finding.cause


def test_a_pending_pods_logs_step_says_no_container_has_started():
    pod = _load(REAL / "cases" / "scheduling-gated.pod.json")
    logs = build(Evidence(pod)).steps[1]
    assert logs.verdict == UNKNOWN and logs.summary == "no container has started"
