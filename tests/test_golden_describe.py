"""Describe against kubectl: for the real v1.36.2 objects (fixtures/real-k8s), kubetui's
describe text is kubectl's own, line for line and space for space (kubectl's sections,
order and tabwriter alignment), at a moment when kubectl's time-relative cells (event
ages, "Terminating (lasts ...)", a node's pods' ages) read as captured. A node's
describe is checked with its Lease, its non-terminated pods and Allocated resources."""

from __future__ import annotations

import re
from datetime import timezone

import pytest
from real_k8s import ROOT, Window, load

from kubetui.render.age import parse_time
from kubetui.render.describe import describe


def kubectl_order(e: dict) -> float:
    """kubectl's SortableEvents: series.lastObservedTime, else lastTimestamp, else
    eventTime."""
    stamp = ((e.get("series") or {}).get("lastObservedTime") or e.get("lastTimestamp") or
             e.get("eventTime"))
    return parse_time(stamp) or 0.0


def window_of(text: str, obj: dict, events: list[dict]) -> Window:
    """When kubectl printed `text`: each event row's Age against the event's times
    (kubectl: the first occurrence is eventTime, else firstTimestamp; a repeat's latest is
    series.lastObservedTime, else lastTimestamp), and a Terminating pod's "lasts"."""
    w = Window()
    m = re.search(r"^Status:\s+Terminating \(lasts (.+)\)$", text, re.M)
    if m:
        w.narrow(obj["metadata"].get("deletionTimestamp"), m.group(1))
    rows = text.split("\nEvents:\n", 1)[1].split("\n")[2:] if "\nEvents:\n" in text else []
    shown = [r for r in rows if r.strip()]
    for row, e in zip(shown, sorted(events, key=kubectl_order), strict=False):
        cell = re.split(r"\s{2,}", row.strip(), maxsplit=4)[2]
        first = e.get("eventTime") or e.get("firstTimestamp")
        m = re.fullmatch(r"(\S+) \(x\d+ over (\S+)\)", cell)
        if m:
            w.narrow((e.get("series") or {}).get("lastObservedTime") or e.get("lastTimestamp"),
                     m.group(1))
            w.narrow(first, m.group(2))
        else:
            w.narrow(first, cell)
    return w


def assert_same(obj: dict, events, golden: str, **kwargs) -> None:
    golden = golden.rstrip("\n")
    window = window_of(golden, obj, events or [])
    fallback = parse_time(obj["metadata"].get("creationTimestamp")) or 0.0
    for now in window.moments(fallback):
        got = describe(obj, events, now, tz=timezone.utc, **kwargs)
        if got == golden:
            return
    now = window.moments(fallback)[0]
    got = describe(obj, events, now, tz=timezone.utc, **kwargs).split("\n")
    want = golden.split("\n")
    diff = [(i, w, g) for i, (w, g) in enumerate(zip(want, got, strict=False)) if w != g]
    assert got == want, f"first differences (line, kubectl, kubetui): {diff[:6]}"


def _pod_cases():
    later = {r["object"]["metadata"]["name"]: r["object"]
             for r in load("cases/cases.table-includeObject.later.json")["rows"]}
    out = []
    for path in sorted((ROOT / "describe").glob("*.describe.txt")):
        name = path.name.removesuffix(".describe.txt")
        if name.endswith(".later"):
            out.append((path, later[name.removesuffix(".later")], []))
        else:
            out.append((path, load(f"cases/{name}.pod.json"), []))
    for path in sorted((ROOT / "scheduling").glob("*.describe.txt")):
        case = path.name.removesuffix(".describe.txt")
        out.append((path, load(f"scheduling/{case}.pod.json"),
                    load(f"scheduling/{case}.events.json")["core_v1"]["items"]))
    return out


POD_CASES = _pod_cases()


@pytest.mark.parametrize("path,pod,events", POD_CASES,
                         ids=[f"{c[0].parent.name}/{c[0].name}" for c in POD_CASES])
def test_pod_describe_is_kubectls(path, pod, events):
    assert_same(pod, events, path.read_text())


def test_deployment_describe_is_kubectls():
    d = load("rollout/deploy-web/14-scale-2.deployment.json")
    sets = load("rollout/deploy-web/14-scale-2.replicasets.json")["items"]
    events = [e for e in load("rollout/deploy-web/14-scale-2.events.json")["items"]
              if e["involvedObject"].get("uid") == d["metadata"]["uid"]]
    golden = (ROOT / "rollout/deploy-web/describe-deployment.txt").read_text()
    assert_same(d, events, golden, replicasets=sets)


def _node_case():
    """worker-1 as kubectl described it: the node, the pods its describe lists (the real
    objects, from the server's pod Table of the same run, in the order kubectl printed
    them) and its Lease (captured a little later: its RenewTime is compared by form)."""
    node = load("scheduling/untolerated-taint.node-worker-1.json")
    golden = (ROOT / "scheduling/untolerated-taint.describe-node.txt").read_text()
    text = golden.split("\nEvents:")[0]  # the node's events were not captured
    rows = text.split("Non-terminated Pods:")[1].split("Allocated resources:")[0]
    listed = [tuple(line.split()[:2]) for line in rows.split("\n")[3:] if line.strip()]
    table = {(r["object"]["metadata"]["namespace"], r["object"]["metadata"]["name"]):
             r["object"] for r in load("tables/pods.table-includeObject.json")["rows"]}
    pods = [table[key] for key in listed]
    [lease] = [r["object"] for r in load("tables/leases.table-includeObject.json")["rows"]
               if r["object"]["metadata"]["name"] == node["metadata"]["name"] and
               r["object"]["metadata"]["namespace"] == "kube-node-lease"]
    return node, pods, lease, text, listed


RFC1123Z = r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}"


def _without_renew_time(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if line.startswith("  RenewTime:"):
            assert re.fullmatch(r"  RenewTime:\s+" + RFC1123Z, line), line
            line = "  RenewTime: (a time)"
        out.append(line)
    return out


def test_node_describe_is_kubectls_with_its_lease_pods_and_allocated_resources():
    node, pods, lease, golden, listed = _node_case()
    assert len(pods) == 22 and golden.count("\n") > 60
    window = Window()
    for p, row in zip(pods, golden.split("Non-terminated Pods:")[1].split("\n")[3:],
                      strict=False):
        window.narrow(p["metadata"]["creationTimestamp"], row.split()[-1])
    want = _without_renew_time(golden.split("\n"))
    got = None
    for now in window.moments(0.0):
        got = _without_renew_time(describe(node, None, now, tz=timezone.utc, node_pods=pods,
                                           lease=lease).split("\n"))
        if got == want:
            break
    diff = [(i, w, g) for i, (w, g) in enumerate(zip(want, got or [], strict=False)) if w != g]
    assert got == want, f"first differences (line, kubectl, kubetui): {diff[:6]}"
    # the lease's own renewTime, printed as kubectl prints times
    text = describe(node, None, 0.0, tz=timezone.utc, node_pods=pods, lease=lease)
    assert "  RenewTime:       Mon, 30 Nov 2026 15:30:16 +0000" in text.split("\n")


def test_node_describe_says_why_its_pods_and_lease_are_missing_never_an_empty_table():
    node, pods, lease, golden, _ = _node_case()
    text = describe(node, None, 0.0, tz=timezone.utc,
                    node_pods='pods is forbidden: User "dev" cannot list resource "pods"',
                    lease='leases.coordination.k8s.io "worker-1" not found')
    lines = text.split("\n")
    assert "Lease:              Failed to get lease: leases.coordination.k8s.io " \
           '"worker-1" not found' in lines
    assert any(line.startswith("Non-terminated Pods:") and "could not list the pods on "
               'this node: pods is forbidden: User "dev"' in line for line in lines)
    assert any(line.startswith("Allocated resources:") and "unknown" in line
               for line in lines)
    assert "(0 in total)" not in text and "0 (0%)" not in text
    # nobody looked: the sections are left out, as before
    plain = describe(node, None, 0.0, tz=timezone.utc)
    assert "Lease:" not in plain and "Non-terminated Pods:" not in plain


def test_a_malformed_pod_on_a_node_is_said_never_raised():
    node, pods, lease, _, _ = _node_case()
    bad = {**pods[0], "spec": {"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}}
    text = describe(node, None, 0.0, node_pods=[bad], lease=lease)
    assert text.startswith("kubetui cannot describe this object, it is malformed")


def test_events_align_on_long_reasons_and_series_read_as_kubectl():
    pod = load("scheduling/insufficient-cpu.pod.json")
    events = load("scheduling/insufficient-cpu.events.json")["core_v1"]["items"]
    long = {**events[0], "reason": "AVeryLongReasonIndeedForAnEvent", "metadata": {
        **events[0]["metadata"], "name": "x"}}
    now = parse_time("2026-11-30T15:27:21.5Z")
    text = describe(pod, [*events, long], now, tz=timezone.utc).split("\n")
    rows = text[text.index("Events:") + 1:]
    starts = {line.index(" default-scheduler") for line in rows if "default-scheduler" in line}
    assert len(starts) == 1  # one column, however long a reason
    assert any("9m9s (x2 over 9m18s)" in line for line in rows)
