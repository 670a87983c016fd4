"""The timeline: what happened, in order, and the first bad entry with the change that
came just before it; from a real v1.36 rollout to a missing image and from the demo."""

from __future__ import annotations

import json
from pathlib import Path

from kubetui.diagnose import timeline

STUCK = Path(__file__).parent / "fixtures" / "real-k8s" / "rollout" / "deploy-stuck" / \
    "17-bad-image-progress-deadline"


def load(suffix: str):
    return json.loads(Path(f"{STUCK}.{suffix}.json").read_text())


def real_stuck_rollout() -> timeline.Timeline:
    deployment = {**load("deployment"), "kind": "Deployment"}
    return timeline.build(deployment, load("replicasets")["items"], [],
                          load("events")["items"])


def test_a_rollout_to_a_missing_image_is_marked_after_the_revision_that_brought_it():
    t = real_stuck_rollout()
    bad = t.first_bad
    assert bad is not None and bad.subject.startswith("pod/") and "Failed to pull" in bad.text
    cause = t.cause_candidate
    assert cause is not None and cause.source == "rollout"
    assert "image nginx:1.25 -> example.com/app:does-not-exist" in cause.text
    texts = [e.text for e in t.entries]
    # causes before effects within the same second: the revision before its pods' events
    assert texts.index(cause.text) < texts.index(bad.text)
    assert any("ProgressDeadlineExceeded" in x for x in texts)
    times = [e.time for e in t.entries]
    assert times == sorted(times)


def test_restarts_and_exit_codes_of_a_pod_are_on_the_timeline():
    pod = json.loads((Path(__file__).parent / "fixtures" / "real-k8s" / "cases" /
                      "crashloop.pod.json").read_text())
    t = timeline.build(None, [], [pod], [])
    ended = [e for e in t.entries if "ended: exit" in e.text]
    assert ended and ended[0].bad and t.first_bad is ended[0]


def test_a_config_update_before_the_first_failure_is_named():
    cm = {"kind": "ConfigMap", "metadata": {
        "name": "app-config", "creationTimestamp": "2026-11-30T10:00:00Z",
        "managedFields": [{"manager": "kubectl", "time": "2026-11-30T10:05:00Z"}]}}
    pod = {"metadata": {"name": "api-1", "creationTimestamp": "2026-11-30T09:00:00Z"},
           "status": {"containerStatuses": [{"name": "api", "restartCount": 1, "lastState": {
               "terminated": {"exitCode": 1, "reason": "Error",
                              "finishedAt": "2026-11-30T10:06:00Z"}}}]}}
    t = timeline.build(None, [], [pod], [], configs=[cm])
    assert t.cause_candidate.subject == "configmap/app-config"
    assert "updated" in t.cause_candidate.text
    assert t.first_bad.text == "container api ended: exit 1 (Error)"


def test_a_series_counts_and_places_an_event_at_its_last_occurrence():
    event = {"involvedObject": {"kind": "Pod", "name": "p"}, "reason": "FailedScheduling",
             "type": "Warning", "message": "0/3 nodes are available: 3 Insufficient cpu.",
             "eventTime": "2026-11-30T10:00:00.000000Z", "firstTimestamp": None,
             "lastTimestamp": None,
             "series": {"count": 4, "lastObservedTime": "2026-11-30T10:03:00.000000Z"}}
    pod = {"metadata": {"name": "p", "creationTimestamp": "2026-11-30T09:59:59Z"}}
    t = timeline.build(None, [], [pod], [event])
    e = t.first_bad
    assert e.source == "scheduling" and e.count == 4
    assert e.time == timeline._t("2026-11-30T10:03:00.000000Z")


def test_kubetuis_own_actions_show_on_the_timeline_of_what_they_touched():
    pod = {"metadata": {"name": "api-1", "creationTimestamp": "2026-11-30T09:00:00Z"}}
    deploy = {"kind": "Deployment", "metadata": {"name": "api"}}
    actions = [(timeline._t("2026-11-30T10:00:00Z"), "kubetui", "Restarting deployment api"),
               (timeline._t("2026-11-30T10:01:00Z"), "kubetui", "Scaled frontend to 3")]
    t = timeline.build(deploy, [], [pod], [], actions=actions)
    assert [e.text for e in t.entries if e.source == "kubetui"] == ["Restarting deployment api"]

