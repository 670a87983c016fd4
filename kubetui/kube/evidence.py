"""What the debugging checklist reads, fetched: the pod, its events and the namespace's,
the last lines of each container (current and previous), the owning workload's rollout
status, the node, the claims it mounts, and metrics.k8s.io (saying plainly when no
metrics server serves it). Every read that fails leaves its part empty with the reason,
so a checklist is always drawn. And what describe reads beside an object: its events, a
Deployment's ReplicaSets, a Node's Lease and non-terminated pods."""

from __future__ import annotations

import logging
from functools import partial
from typing import Callable, TypeVar, overload

from kubetui.diagnose import Evidence, diagnose
from kubetui.render.json_types import Obj
from kubetui.render.printers import pod_selector

from . import rollout
from .client import ApiError, Reader
from .kinds import KINDS, Kind
from .logs import LogStream
from .paging import read_pages

log = logging.getLogger("kubetui.evidence")
METRICS = "/apis/metrics.k8s.io/v1beta1"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
# kubectl's selector for a node's pods (describe.go: the terms in its order)
NODE_PODS = "spec.nodeName={node},status.phase!=Succeeded,status.phase!=Failed"
TAIL = 20
_T = TypeVar("_T")


@overload
def _try(call: Callable[[], _T], default: None = None, unread: dict[str, str] | None = None,
         part: str = "") -> _T | None: ...


@overload
def _try(call: Callable[[], _T], default: _T, unread: dict[str, str] | None = None,
         part: str = "") -> _T: ...


def _try(call: Callable[[], _T], default: _T | None = None,
         unread: dict[str, str] | None = None, part: str = "") -> _T | None:
    """call(), or `default` when it fails; why it failed goes into `unread[part]` (a
    fetch that failed is "could not look", never "nothing there")."""
    try:
        return call()
    except ApiError as exc:
        if exc.status == 404:  # an answer ("there is none"), not a failure to look
            return default
        log.error("the checklist could not read %s", part or "a part", exc_info=True)
        if unread is not None:
            unread[part] = exc.message
        return default
    except Exception as exc:  # the boundary: one broken read must not lose the checklist
        log.exception("the checklist could not read %s", part or "a part")
        if unread is not None:
            unread[part] = f"{type(exc).__name__}: {exc}"
        return default


def _lines(client: Reader, ns: str, pod: str, container: str,
           previous: bool) -> list[str] | str:
    """The last lines, or the reason they could not be read (a str)."""
    try:
        return [line.text for line in LogStream(client, ns, pod, container, previous=previous,
                                                tail=TAIL)]
    except ApiError as exc:
        log.error("cannot read the logs of %s/%s %s", ns, pod, container, exc_info=True)
        return exc.message
    except Exception as exc:  # the boundary: a log read that fails is unknown, not empty
        log.exception("cannot read the logs of %s/%s %s", ns, pod, container)
        return f"cannot read logs: {exc}"


def owner_of(client: Reader, obj: Obj) -> Obj | None:
    """The controlling workload: a ReplicaSet's Deployment, else the direct owner."""
    ns = obj["metadata"].get("namespace")
    ref = next((r for r in obj["metadata"].get("ownerReferences") or ()
                if r.get("controller")), None)
    if ref is None or ref.get("kind") not in KINDS:
        return None
    owner = _try(lambda: client.get_json(KINDS[ref["kind"]].path(ns, ref["name"])))
    if owner is not None and ref["kind"] == "ReplicaSet":
        return owner_of(client, {**owner, "kind": "ReplicaSet"}) or {**owner, "kind": "ReplicaSet"}
    return None if owner is None else {**owner, "kind": ref["kind"]}


def _events_of(client: Reader, obj: Obj, namespace: str | None,
               unread: dict[str, str] | None = None) -> list[Obj]:
    """The events about one object (none if they cannot be read, said in `unread`)."""
    meta = obj["metadata"]
    uids = [meta.get("uid", "")]
    if obj.get("kind") == "Node":  # a kubelet names its node by the node's name (kubectl
        uids.append(meta.get("name", ""))  # describe asks for both, and merges them)
    events: list[Obj] = []
    for uid in uids:
        events += _try(lambda uid=uid: client.get_json(KINDS["Event"].path(namespace), {
            "fieldSelector": f"involvedObject.uid={uid}"}).get("items") or [], [], unread,
            "events")
    return events


def described(client: Reader, kind: Kind | str, namespace: str | None,
              name: str) -> tuple[Obj, str]:
    """An object and its kubectl-describe text with its events (none if they cannot be
    read: a describe without events beats no describe)."""
    from kubetui.render.describe import describe

    k = KINDS[kind] if isinstance(kind, str) else kind
    obj = client.get_json(k.path(namespace if k.namespaced else None, name))
    sets = None
    if k.kind == "Deployment":  # kubectl lists its old and new ReplicaSets
        sets = _try(lambda: client.get_json(KINDS["ReplicaSet"].path(namespace), {
            "labelSelector": pod_selector(obj)}).get("items"))
    pods: list[Obj] | str | None = None
    lease: Obj | str | None = None
    if k.kind == "Node":
        pods, lease = _node_pods(client, name), _node_lease(client, name)
    return obj, describe(obj, _events_of(client, obj, namespace), replicasets=sets,
                         node_pods=pods, lease=lease)


def _node_pods(client: Reader, node: str) -> list[Obj] | str:
    """The node's non-terminated pods as kubectl lists them (its field selector, 500 a
    page), or why they could not be listed: an unknown, never an empty node."""
    def fetch(token: str | None) -> tuple[list[Obj], Obj]:
        page = client.get_json(KINDS["Pod"].path(None), {
            "fieldSelector": NODE_PODS.format(node=node), "limit": 500, "continue": token})
        return page.get("items") or [], page.get("metadata") or {}

    try:
        return read_pages(fetch)[0]
    except ApiError as exc:
        log.error("cannot list the pods on node %s", node, exc_info=True)
        return exc.message
    except Exception as exc:  # the boundary: the describe is still drawn, with the reason
        log.exception("cannot list the pods on node %s", node)
        return f"{type(exc).__name__}: {exc}"


def _node_lease(client: Reader, node: str) -> Obj | str:
    """The kubelet's Lease in kube-node-lease, or why it could not be read (kubectl's
    "Failed to get lease: ..." says the server's words, a 404's too)."""
    try:
        return client.get_json(f"{LEASES}/{node}")
    except ApiError as exc:
        if exc.status == 404:  # an answer (no kubelet has renewed one), not a failed read
            log.info("node %s has no lease: %s", node, exc.message)
        else:
            log.error("cannot read the lease of node %s", node, exc_info=True)
        return exc.message
    except Exception as exc:  # the boundary: the describe is still drawn, with the reason
        log.exception("cannot read the lease of node %s", node)
        return f"{type(exc).__name__}: {exc}"


def gather(client: Reader, namespace: str, name: str) -> Evidence:
    pod = client.get_json(KINDS["Pod"].path(namespace, name))
    unread: dict[str, str] = {}
    ns_events: list[Obj] = _try(lambda: client.get_json(KINDS["Event"].path(namespace), {
        "limit": 500}).get("items") or [], [], unread, "namespace events")
    ev = Evidence(pod, _events_of(client, pod, namespace, unread), ns_events, unread=unread)
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    for cs in statuses:
        ev.logs[cs["name"]] = _lines(client, namespace, name, cs["name"], False)
        if cs.get("restartCount", 0) or (cs.get("lastState") or {}).get("terminated"):
            ev.previous_logs[cs["name"]] = _lines(client, namespace, name, cs["name"], True)
    owner = owner_of(client, pod)
    if owner is not None:
        ev.owner = f"{owner['kind']} {namespace}/{owner['metadata']['name']}"
        if owner["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
            ev.rollout = rollout.status(owner)
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        ev.node = _try(lambda: client.get_json(KINDS["Node"].path(None, node_name)), None,
                       unread, "node")
    if (pod.get("status") or {}).get("phase") == "Pending":  # whose taints, which kubelet
        ev.nodes = _try(lambda: client.get_json(KINDS["Node"].path(None)).get("items") or [],
                        None, unread, "nodes")
        if ev.node is not None and ev.nodes is None:
            ev.nodes = [ev.node]
    claims = [v["persistentVolumeClaim"]["claimName"] for v in
              (pod.get("spec") or {}).get("volumes") or () if "persistentVolumeClaim" in v]
    if claims:
        ev.pvcs = {}
        for claim in claims:
            pvc = _try(partial(client.get_json,
                               KINDS["PersistentVolumeClaim"].path(namespace, claim)),
                       None, unread, f"claim {claim}")
            if pvc is not None:
                ev.pvcs[claim] = pvc
    try:
        ev.metrics = client.get_json(f"{METRICS}/namespaces/{namespace}/pods/{name}")
        if node_name:
            ev.node_metrics = _try(lambda: client.get_json(f"{METRICS}/nodes/{node_name}"))
    except ApiError as exc:
        served = _try(lambda: client.get_json(METRICS)) is not None
        ev.metrics_error = ("no metrics for this pod yet (" + exc.message + ")" if served else
                            "metrics.k8s.io is not served: metrics-server is not installed, "
                            "so there is no kubectl top either")
    return ev


def pick_pod(client: Reader, kind: str, namespace: str, name: str) -> str | None:
    """The pod of a workload to look at: the first one with something wrong, else any."""
    obj = client.get_json(KINDS[kind].path(namespace, name))
    selector = pod_selector(obj)
    if not selector:
        return None
    pods: list[Obj] = client.get_json(KINDS["Pod"].path(namespace),
                                      {"labelSelector": selector}).get("items") or []
    if not pods:
        return None
    pods.sort(key=lambda p: p["metadata"]["name"])
    picked: str = next((p["metadata"]["name"] for p in pods if diagnose(p)),
                       pods[0]["metadata"]["name"])
    return picked


__all__ = ["described", "gather", "owner_of", "pick_pod"]
