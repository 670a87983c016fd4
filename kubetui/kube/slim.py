"""Raw API bytes into slim plain dicts: what the tables, the architecture view and the
diagnosis read, and nothing else. Pods (the many) are decoded by msgspec straight into
typed dicts that skip unknown fields without building them; other kinds are decoded by
orjson and pruned. Both drop managedFields and kubectl's last-applied annotation.
Full objects are fetched on demand (describe, YAML).

A pod that does not match the expected shape is decoded the slow way instead of being
lost, so one malformed object never stops an informer."""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec
import orjson

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class OwnerRef(TypedDict, total=False):
    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool


class Meta(TypedDict, total=False):
    name: str
    namespace: str
    uid: str
    resourceVersion: str
    generation: int
    creationTimestamp: Any
    deletionTimestamp: Any
    deletionGracePeriodSeconds: Any
    labels: dict[str, str]
    annotations: dict[str, str]
    ownerReferences: list[OwnerRef]
    finalizers: list[str]


class Container(TypedDict, total=False):
    """What rows and the architecture view read; probes, env, ports and commands come
    with the full object the checklist fetches."""
    name: str
    image: str
    resources: Any
    restartPolicy: str  # native sidecars


class Condition(TypedDict, total=False):
    type: str
    status: str
    reason: str
    message: str


class ContainerStatus(TypedDict, total=False):
    name: str
    ready: bool
    started: bool
    restartCount: int
    image: str
    state: Any
    lastState: Any


class Volume(TypedDict, total=False):
    name: str
    persistentVolumeClaim: Any
    configMap: Any
    secret: Any


class PodSpec(TypedDict, total=False):
    nodeName: str
    containers: list[Container]
    initContainers: list[Container]
    volumes: list[Volume]
    priorityClassName: str
    restartPolicy: str
    readinessGates: Any


class PodStatus(TypedDict, total=False):
    phase: str
    reason: str
    message: str
    conditions: list[Condition]
    containerStatuses: list[ContainerStatus]
    initContainerStatuses: list[ContainerStatus]
    podIP: str
    hostIP: str
    startTime: Any
    nominatedNodeName: str
    qosClass: str


class Pod(TypedDict, total=False):
    kind: str
    apiVersion: str
    metadata: Meta
    spec: PodSpec
    status: PodStatus


class PodList(TypedDict, total=False):
    metadata: Any
    items: list[Pod]


class PodEvent(TypedDict):
    type: str
    object: Pod


_POD_LIST = msgspec.json.Decoder(PodList)
_POD_EVENT = msgspec.json.Decoder(PodEvent)


def prune(obj: dict) -> dict:
    """Drop what no view needs and costs the most memory (in place)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        ann = meta.get("annotations")
        if ann and LAST_APPLIED in ann:
            del ann[LAST_APPLIED]
    return obj


# Pod conditions the views read; the others come with the full object.
KEPT_CONDITIONS = frozenset(("Ready", "ContainersReady", "PodScheduled", "Initialized"))
_STRINGS: dict[str, str] = {}
_EMPTY: dict = {}


def _intern(s):
    """One shared copy of a repeated string (namespaces, images, node names, stamps)."""
    if len(_STRINGS) > 200_000:
        _STRINGS.clear()
    return _STRINGS.setdefault(s, s) if s.__class__ is str else s


_SHARED: dict[bytes, dict] = {}


def _share(value):
    """One shared copy of a small map that many pods repeat (resources, states)."""
    if not value:
        return _EMPTY if value == _EMPTY else value
    if len(_SHARED) > 50_000:
        _SHARED.clear()
    return _SHARED.setdefault(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), value)


def compact_pod(pod: dict) -> dict:
    """Share repeated strings and empty maps, and keep the conditions views read. Objects
    in a store are never changed in place, so sharing them is safe."""
    meta = pod.get("metadata")
    if meta is not None:
        ann = meta.get("annotations")
        if ann:
            if LAST_APPLIED in ann:
                del ann[LAST_APPLIED]
            meta["annotations"] = {_intern(k): _intern(v) for k, v in ann.items()}
        labels = meta.get("labels")
        if labels:
            meta["labels"] = {_intern(k): _intern(v) for k, v in labels.items()}
        for key in ("namespace", "creationTimestamp"):
            if key in meta:
                meta[key] = _intern(meta[key])
    spec = pod.get("spec")
    if spec is not None:
        if "nodeName" in spec:
            spec["nodeName"] = _intern(spec["nodeName"])
        for c in spec.get("containers") or ():
            c["name"], c["image"] = _intern(c.get("name", "")), _intern(c.get("image", ""))
            if "resources" in c:
                c["resources"] = _share(c["resources"])
        volumes = spec.get("volumes")
        if volumes:
            kept = [v for v in volumes if len(v) > 1]  # ones naming a claim, map or secret
            if kept:
                spec["volumes"] = kept
            else:
                del spec["volumes"]
    status = pod.get("status")
    if status is not None:
        conds = status.get("conditions")
        if conds:
            status["conditions"] = [{k: _intern(v) for k, v in c.items()} for c in conds
                                    if c.get("type") in KEPT_CONDITIONS]
        for key in ("phase", "qosClass", "hostIP", "startTime"):
            if key in status:
                status[key] = _intern(status[key])
        for cs in status.get("containerStatuses") or ():
            cs["name"], cs["image"] = _intern(cs.get("name", "")), _intern(cs.get("image", ""))
            if "lastState" in cs:
                cs["lastState"] = _share(cs["lastState"])
            if "state" in cs:
                cs["state"] = _share(cs["state"])
    return pod


def _prune_all(objs: list[dict]) -> list[dict]:
    for o in objs:
        compact_pod(o)
    return objs


def decode_list(kind: str, data: bytes) -> tuple[list[dict], dict]:
    """(items, list metadata) of a List response."""
    if kind == "Pod":
        try:
            out = _POD_LIST.decode(data)
            return _prune_all(out.get("items") or []), out.get("metadata") or {}
        except msgspec.ValidationError:
            pass  # an odd object: take the slow path for the whole page
    doc = orjson.loads(data)
    return [prune(o) for o in doc.get("items") or ()], doc.get("metadata") or {}


def decode_event(kind: str, line: bytes) -> tuple[str, dict]:
    """(type, object) of one watch event line; ERROR objects stay whole Status dicts."""
    if kind == "Pod" and b'"ERROR"' not in line[:40] and b'"BOOKMARK"' not in line[:40]:
        try:
            ev = _POD_EVENT.decode(line)
            return ev["type"], compact_pod(ev["object"])
        except msgspec.ValidationError:
            pass
    ev = orjson.loads(line)
    obj = ev.get("object") or {}
    return ev.get("type", ""), prune(obj) if ev.get("type") != "ERROR" else obj


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def _table_rows(doc: dict) -> list[dict]:
    return [{"metadata": ((row.get("object") or {}).get("metadata") or {}),
             "cells": row.get("cells") or []} for row in doc.get("rows") or ()]


def decode_table(data: bytes) -> tuple[list[dict], dict, list[dict]]:
    """(rows as {metadata, cells}, list metadata, column definitions) of a Table."""
    doc = orjson.loads(data)
    if doc.get("kind") != "Table":  # a server without Tables: names and ages only
        items = [{"metadata": o.get("metadata") or {}, "cells": [
            (o.get("metadata") or {}).get("name", "")]} for o in doc.get("items") or ()]
        return items, doc.get("metadata") or {}, [{"name": "Name", "priority": 0}]
    return _table_rows(doc), doc.get("metadata") or {}, doc.get("columnDefinitions") or []


def table_event(line: bytes) -> tuple[str, dict]:
    """A watch event whose object is a one-row Table (or a Status, or a bookmark)."""
    ev = orjson.loads(line)
    etype, obj = ev.get("type", ""), ev.get("object") or {}
    if obj.get("kind") == "Table":
        rows = _table_rows(obj)
        return etype, rows[0] if rows else {"metadata": {}}
    return etype, obj
