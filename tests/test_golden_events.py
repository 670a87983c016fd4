"""Events as the real v1.36.2 scheduler writes them (fixtures/real-k8s/scheduling): count,
firstTimestamp and lastTimestamp null, eventTime set, `series` on a repeat. Whatever in
kubetui reads events reads them the way kubectl does (render/events.py)."""

from __future__ import annotations

from real_k8s import ROOT, load

from kubetui.diagnose.checklist import Evidence, build
from kubetui.render import events


def _namespace_events(ns: str) -> list[dict]:
    seen = {}
    for path in sorted((ROOT / "scheduling").glob("*.events.json")):
        for e in load(path)["core_v1"]["items"]:
            seen[e["metadata"]["uid"]] = e
    for row in load("tables/events.table-includeObject.json")["rows"]:
        seen[row["object"]["metadata"]["uid"]] = row["object"]
    return [e for e in seen.values() if e["metadata"]["namespace"] == ns]


def kubectl_last_seen(e: dict) -> str:
    """kubectl's order: series.lastObservedTime, else lastTimestamp, else eventTime."""
    return ((e.get("series") or {}).get("lastObservedTime") or e.get("lastTimestamp") or
            e.get("eventTime"))


def test_a_series_counts_and_is_last_seen_at_its_last_observation():
    [single, repeated] = load("scheduling/insufficient-cpu.events.json")["core_v1"]["items"]
    assert (events.count(single), events.count(repeated)) == (1, 2)
    assert events.first_seen(repeated) == repeated["eventTime"]
    assert events.last_seen(repeated) == repeated["series"]["lastObservedTime"]
    assert events.last_seen(single) == single["eventTime"]


def test_checklist_lists_the_namespace_warnings_by_when_they_were_last_seen():
    ns_events = _namespace_events("sched")
    pod = load("scheduling/insufficient-cpu.pod.json")
    own = [e for e in ns_events if e["involvedObject"].get("uid") == pod["metadata"]["uid"]]
    checklist = build(Evidence(pod, own, ns_events))
    step = next(s for s in checklist.steps if s.title == "events")
    warnings = sorted((e for e in ns_events if e["type"] == "Warning"), key=kubectl_last_seen,
                      reverse=True)[:10]
    assert [(line[:8], line.split()[1]) for line in step.evidence] == [
        (kubectl_last_seen(e)[11:19], f"Pod/{e['involvedObject']['name']}") for e in warnings]
    describe_step = next(s for s in checklist.steps if s.title == "describe")
    assert describe_step.evidence[0].startswith("event Warning FailedScheduling (x2): ")
