"""`kubectl describe`-like text built from API data (never by running kubectl), laid out
as kubectl lays it out (its sections, its order, its tabwriter alignment): pods,
deployments and nodes as kubectl's describers print them, ConfigMaps and Secrets (a
Secret's values never, only their sizes), any other kind (an Event, a custom resource)
as kubectl's generic describer prints it (`describe_generic`); then the Events
section."""

from __future__ import annotations

import base64
import time
from datetime import tzinfo

from . import describe_node, describe_pod
from . import events as ev
from .age import age
from .describe_generic import generic
from .describe_text import Writer, annotation_lines, labels
from .json_types import Obj
from .printers import selector_string
from .safe import harmless

probe_text = describe_pod.probe_text  # the checklist's rules print probes this way too


def _header(w: Writer, meta: Obj) -> None:
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if meta.get("namespace"):
        w.write(0, f"Namespace:\t{meta['namespace']}\n")
    labels(w, "Labels", meta.get("labels"))
    annotation_lines(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp"):
        w.write(0, f"DeletionTimestamp:\t{w.time(meta['deletionTimestamp'])}\n")


def _replica_sets(sets: list[Obj]) -> str:
    return ", ".join(f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
                     f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)"
                     for rs in sets) or "<none>"


def _deployment(w: Writer, d: Obj, replicasets: list[Obj] | None) -> None:
    meta, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{w.time(meta.get('creationTimestamp'))}\n")
    labels(w, "Labels", meta.get("labels"))
    annotation_lines(w, "Annotations", meta.get("annotations"))
    sel = spec.get("selector") or {}
    selector = selector_string(sel.get("matchLabels"), sel.get("matchExpressions"))
    w.write(0, f"Selector:\t{selector}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | {st.get('updatedReplicas', 0)} "
               f"updated | {st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} "
               f"available | {st.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None:
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable')} max unavailable, "
                   f"{ru.get('maxSurge')} max surge\n")
    describe_pod.template(w, spec.get("template"))
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason', '')}\n")
    if replicasets is not None:  # kubectl's old and new: the new one has the revision
        revision = (meta.get("annotations") or {}).get("deployment.kubernetes.io/revision")
        owned = sorted((rs for rs in replicasets if any(
            r.get("uid") == meta.get("uid") and r.get("controller")
            for r in rs["metadata"].get("ownerReferences") or ())),
            key=lambda rs: (rs["metadata"].get("creationTimestamp", ""),
                            rs["metadata"]["name"]))
        new = [rs for rs in owned if (rs["metadata"].get("annotations") or {}).get(
            "deployment.kubernetes.io/revision") == revision][:1]
        w.write(0, f"OldReplicaSets:\t{_replica_sets([r for r in owned if r not in new])}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets(new)}\n")


def describe(obj: Obj, events: list[Obj] | None = None, now: float | None = None,
             tz: tzinfo | None = None, replicasets: list[Obj] | None = None,
             node_pods: list[Obj] | str | None = None, lease: Obj | str | None = None) -> str:
    """The describe text of `obj` with its `events` (None: no Events section); times in
    `tz` (default: the local zone, as kubectl). A Deployment's old and new ReplicaSets
    are listed when `replicasets` (the namespace's) are given; a Node's Lease and its
    non-terminated pods when given (`describe_node`: a str is why they could not be
    read). A malformed object is said to be one, with what could not be read, never an
    exception."""
    try:
        return harmless(_describe(obj, events, now, tz, replicasets, node_pods, lease))
    except Exception as exc:  # noqa: BLE001 - a malformed object is said to be one
        import json
        return (f"kubetui cannot describe this object, it is malformed: "
                f"{type(exc).__name__}: {exc}\n\n" +
                harmless(json.dumps(obj, indent=2, default=str, sort_keys=True)[:20000]) + "\n")


def _describe(obj: Obj, events: list[Obj] | None, now: float | None,
              tz: tzinfo | None, replicasets: list[Obj] | None,
              node_pods: list[Obj] | str | None = None, lease: Obj | str | None = None) -> str:
    now = time.time() if now is None else now
    w = Writer(tz)
    meta = obj.get("metadata") or {}
    kind = obj.get("kind", "")
    if kind == "Pod":
        describe_pod.pod(w, obj, now)
    elif kind == "Deployment":
        _deployment(w, obj, replicasets)
    elif kind == "Node":
        describe_node.node(w, obj, now, node_pods, lease)
    elif kind == "Secret":
        _header(w, meta)
        w.write(0, f"\nType:\t{obj.get('type', '')}\n\nData\n====\n")
        for k, v in sorted((obj.get("data") or {}).items()):
            w.write(0, f"{k}:\t{len(base64.b64decode(v or ''))} bytes\n")
    elif kind == "ConfigMap":
        _header(w, meta)
        w.write(0, "\nData\n====\n")
        for k, v in sorted((obj.get("data") or {}).items()):
            w.write(0, f"{k}:\n----\n{v}\n\n")
        w.write(0, "\nBinaryData\n====\n")
        for k, v in sorted((obj.get("binaryData") or {}).items()):
            w.write(0, f"{k}: {len(base64.b64decode(v or ''))} bytes\n")
        w.write(0, "\n")
    else:  # an Event, a custom resource: kubectl's generic describer
        generic(w, obj)
    if events is not None:
        _events(w, events, now)
    return w.text()


def _events(w: Writer, events: list[Obj], now: float) -> None:
    """kubectl describe's Events table, oldest first by when each was last seen."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in sorted(events, key=ev.last_seen_time):
        first, n = age(ev.first_seen(e), now), ev.count(e)
        when = f"{age(ev.last_seen(e), now)} (x{n} over {first})" if n > 1 else first
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent", "")
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{when}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")

