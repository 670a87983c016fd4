"""The architecture view's model and layout, from the demo's nodes and pods (fixtures)
and from the shape of a managed cluster."""

import copy
import json
from pathlib import Path

from kubetui.render import arch_layout, architecture
from kubetui.render.arch_layout import CELL

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "problems.json").read_text())
NODES = FIXTURES["nodes"]
PODS = [c["pod"] for k, c in FIXTURES.items() if k != "nodes"]
READYZ = "[+]ping ok\n[+]etcd ok\n[+]informer-sync ok\nreadyz check passed\n"
NOW = 1_800_000_000.0


def static_pod(component: str, node: str, ready: bool = True) -> dict:
    return {"metadata": {"name": f"{component}-{node}", "namespace": "kube-system",
                         "labels": {"component": component, "tier": "control-plane"}},
            "spec": {"nodeName": node, "containers": [{"name": component}]},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"}],
                "containerStatuses": [{"name": component, "ready": ready, "state": {
                    "running": {}}}]}}


def proxy(node: str) -> dict:
    p = static_pod("kube-proxy", node)
    p["metadata"]["labels"] = {"k8s-app": "kube-proxy"}
    p["metadata"]["name"] = f"kube-proxy-{node[-3:]}"
    return p


def self_managed() -> list[dict]:
    cp = next(n["metadata"]["name"] for n in NODES
              if "node-role.kubernetes.io/control-plane" in n["metadata"].get("labels", {}))
    return [static_pod(c, cp) for c in ("kube-apiserver", "etcd", "kube-scheduler")] + \
        [static_pod("kube-controller-manager", cp, ready=False)] + \
        [proxy(n["metadata"]["name"]) for n in NODES]


def test_control_plane_health_from_static_pods_and_readyz():
    arch = architecture.build(NODES, PODS + self_managed(), READYZ, now=NOW)
    states = {c.name: (c.state, c.detail) for c in arch.control_plane}
    assert not arch.managed
    assert states["kube-apiserver"] == ("ok", "1/1 pod ready in kube-system; "
                                              "/readyz 3/3 checks ok")
    assert states["kube-controller-manager"][0] == "failing"
    assert states["cloud-controller-manager"][0] == "absent"


def test_a_component_s_whole_detail_shows_at_80_columns_and_narrower():
    """At 80 columns the cloud-controller-manager's reason was cut mid-sentence ("(usu"
    at the box's edge): a detail now goes on over the next lines, under where it began,
    and no line is wider than the box."""
    arch = architecture.build(NODES, PODS + self_managed(), READYZ, now=NOW)
    for width in (80, 60, 160):
        rows = arch_layout.control_plane_box(arch, width, compact=False)
        assert all(arch_layout._width(r) == width for r in rows)
        text = " ".join("".join(t for t, _ in r).strip("│╭╮╰╯─ ") for r in rows)
        for comp in arch.control_plane:
            assert " ".join(comp.detail.split()) in " ".join(text.split()), (width, comp.name)


def test_a_managed_cluster_says_so_instead_of_guessing():
    """The shape of EKS: no control-plane node, no static pod, the provider's build in
    the version and its machines as nodes. What the cluster does show (/readyz,
    componentstatuses) is shown; only what it hides is "managed by the provider"."""
    nodes = copy.deepcopy([n for n in NODES if "node-role.kubernetes.io/control-plane"
                           not in n["metadata"].get("labels", {})])
    for i, n in enumerate(nodes):
        n["spec"]["providerID"] = f"aws:///eu-west-1a/i-0{i}"
    cs = [{"metadata": {"name": "scheduler"}, "conditions": [{"type": "Healthy",
                                                               "status": "True",
                                                               "message": "ok"}]}]
    arch = architecture.build(nodes, PODS, READYZ.replace("[+]etcd ok", "[-]etcd failed"),
                              componentstatuses=cs, now=NOW,
                              server_version="v1.30.4-eks-a737599")
    states = {c.name: c for c in arch.control_plane}
    assert arch.managed
    assert states["kube-apiserver"].state == "failing"
    assert "failing: etcd" in states["kube-apiserver"].detail
    assert (states["etcd"].state, states["etcd"].detail) == ("failing",
                                                             "/readyz etcd check failed")
    assert (states["kube-scheduler"].state, states["kube-scheduler"].detail) == (
        "ok", "componentstatus scheduler: ok")
    for name in ("kube-controller-manager", "cloud-controller-manager"):
        assert (states[name].state, states[name].detail) == ("managed", "managed by the provider")
    rows = arch_layout.layout(arch, 160).rows
    assert "(managed by the provider)" in "".join(t for t, _ in rows[0])


REAL = Path(__file__).parent / "fixtures" / "real-k8s"


def real_self_hosted():
    """A v1.36.2 control plane run as processes (no static pods, no control-plane node),
    as captured in tests/fixtures/real-k8s/."""
    nodes = [r["object"] for r in json.loads(
        (REAL / "tables" / "nodes.table-includeObject.json").read_text())["rows"]]
    cs = json.loads((REAL / "discovery" / "componentstatuses.json").read_text())["items"]
    readyz = (REAL / "discovery" / "readyz-verbose.txt").read_text()
    version = json.loads((REAL / "discovery" / "version.json").read_text())["gitVersion"]
    return nodes, cs, readyz, version


def test_a_self_hosted_control_plane_without_static_pods_is_not_called_managed():
    nodes, cs, readyz, version = real_self_hosted()
    arch = architecture.build(nodes, [], readyz, cs, now=NOW, server_version=version)
    states = {c.name: c for c in arch.control_plane}
    assert not arch.managed
    assert all(c.state != "managed" for c in arch.control_plane)
    assert states["kube-scheduler"].state == "ok"
    assert states["kube-scheduler"].detail.startswith("componentstatus scheduler")
    # this server's /readyz lists no etcd check: componentstatuses are what it shows
    assert (states["etcd"].state, states["etcd"].detail) == ("ok", "componentstatus etcd-0: ok")
    assert states["kube-apiserver"].state == "ok" and "/readyz" in states["kube-apiserver"].detail


def test_an_unhealthy_scheduler_shows_what_componentstatuses_say():
    nodes, cs, readyz, version = real_self_hosted()
    error = ('Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: '
             'connection refused')
    for item in cs:
        if item["metadata"]["name"] == "scheduler":
            item["conditions"] = [{"type": "Healthy", "status": "False", "error": error}]
    arch = architecture.build(nodes, [], readyz, cs, now=NOW, server_version=version)
    scheduler = next(c for c in arch.control_plane if c.name == "kube-scheduler")
    assert (scheduler.state, scheduler.detail) == ("failing",
                                                   f"componentstatus scheduler: {error}")


def test_nodes_hold_their_pods_and_unscheduled_pods_have_a_lane():
    arch = architecture.build(NODES, PODS + self_managed(), READYZ, now=NOW)
    by_node = {n.name: n for n in arch.nodes}
    assert list(by_node)[0] == "kubetui-control-plane"  # the control plane first
    for pod in PODS:
        node = pod["spec"].get("nodeName")
        names = ([c.name for c in by_node[node].pods] if node else
                 [c.name for c in arch.unscheduled])
        assert pod["metadata"]["name"] in names
    assert {c.status for c in arch.unscheduled} == {"Pending"}
    worker = by_node["kubetui-worker"]
    assert worker.kube_proxy == "ready" and worker.ready and worker.cpu_allocatable > 0
    assert worker.cpu_requested > 0  # the requests of its pods
    crash = next(c for n in arch.nodes for c in n.pods if c.name.startswith("settlement-"))
    assert crash.health == "error"


def test_namespace_filter_keeps_requests_whole():
    everything = architecture.build(NODES, PODS, READYZ, now=NOW)
    shop = architecture.build(NODES, PODS, READYZ, namespace="shop", now=NOW)
    assert {c.namespace for c in shop.cells()} == {"shop"}
    assert [n.cpu_requested for n in shop.nodes] == [n.cpu_requested for n in everything.nodes]


def test_layout_cells_are_where_the_layout_draws_them():
    arch = architecture.build(NODES, PODS + self_managed(), READYZ, now=NOW)
    for compact in (False, True):
        lay = arch_layout.layout(arch, 160, compact)
        assert len(lay.cells) == len(arch.cells())
        for row, col, _cell in lay.cells:
            text = "".join(t for t, _ in lay.rows[row])
            assert text[col] == CELL
        assert all(sum(len(t) for t, _ in r) <= 160 for r in lay.rows)


def test_a_hundred_nodes_and_ten_thousand_pods_fit_in_compact_mode():
    base = NODES[1]
    nodes, pods = [], []
    for i in range(100):
        n = copy.deepcopy(base)
        n["metadata"]["name"] = f"node-{i:03d}"
        nodes.append(n)
        for j in range(100):
            p = copy.deepcopy(PODS[0])
            p["metadata"]["name"] = f"p-{i}-{j}"
            p["spec"]["nodeName"] = n["metadata"]["name"]
            pods.append(p)
    arch = architecture.build(nodes, pods, READYZ, now=NOW)
    lay = arch_layout.layout(arch, 160, compact=True)
    assert len(lay.cells) == 10_000
    assert len(lay.rows) < 200  # six columns of small boxes: ~17 box rows of 8 lines
