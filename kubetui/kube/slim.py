"""Raw API bytes into slim plain dicts: what the tables, the architecture view and the
diagnosis read, and nothing else. Pods (the many) are decoded by msgspec straight into
a dict whose metadata, spec and status are dict-faced structs (kube/dict_face.py,
kube/pod_status.py), skipping unknown fields without building them; other kinds are
decoded by orjson and pruned. Both drop managedFields and kubectl's last-applied annotation.
Full objects are fetched on demand (describe, YAML).

A pod that does not match the expected shape is decoded the slow way instead of being
lost, so one malformed object never stops an informer."""

from __future__ import annotations

from typing import Any, Callable, TypedDict, TypeVar, cast

import msgspec
import orjson

from kubetui.render.json_types import Body, Obj
from kubetui.render.one_copy import OneCopy

from .dict_face import DictFace
from .pod_status import Condition, ContainerStatus, PodStatus

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_T = TypeVar("_T")


class OwnerRef(TypedDict, total=False):
    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool


class Meta(DictFace, gc=False, omit_defaults=True):
    """A pod's metadata as a dict-faced struct (kube/dict_face.py): 112 bytes where the
    dict of a bulk pod's eight keys was 272."""
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    resourceVersion: str | None = None
    generation: int | None = None
    creationTimestamp: Any = None
    deletionTimestamp: Any = None
    deletionGracePeriodSeconds: Any = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    ownerReferences: list[OwnerRef] | None = None
    finalizers: list[str] | None = None


class NameRef(TypedDict, total=False):
    name: str


# References to ConfigMaps and Secrets (xray reads them), decoded as untracked structs,
# which cost less than dicts and most are dropped: env values, field refs and names are
# skipped, and compact_pod keeps the references as small shared dicts.
class _Ref(msgspec.Struct, gc=False):
    name: str = ""


class _EnvSource(msgspec.Struct, gc=False):
    configMapKeyRef: _Ref | None = None
    secretKeyRef: _Ref | None = None


class _EnvVar(msgspec.Struct, gc=False):
    valueFrom: _EnvSource | None = None


class _EnvFrom(msgspec.Struct, gc=False):
    configMapRef: _Ref | None = None
    secretRef: _Ref | None = None


class _Source(msgspec.Struct, gc=False):
    configMap: _Ref | None = None
    secret: _Ref | None = None


class _Projected(msgspec.Struct, gc=False):
    sources: tuple[_Source, ...] = ()


class Container(TypedDict, total=False):
    """What rows, the architecture view, xray and the lint read (probes are shared:
    pods of a workload repeat them); ports, commands and env values come with the full
    object the checklist fetches."""
    name: str
    image: str
    resources: Any
    restartPolicy: str  # native sidecars
    env: tuple[_EnvVar, ...]
    envFrom: tuple[_EnvFrom, ...]
    livenessProbe: Any
    readinessProbe: Any


class Volume(TypedDict, total=False):
    name: str
    persistentVolumeClaim: Any
    configMap: Any
    secret: Any
    projected: _Projected  # only its ConfigMap and Secret sources (kube-root-ca.crt)


class PodSpec(DictFace, gc=False, omit_defaults=True):
    """A dict-faced struct (kube/dict_face.py): 104 bytes where a dict of its usual five
    keys was 184."""
    nodeName: str | None = None
    containers: list[Container] | None = None
    initContainers: list[Container] | None = None
    volumes: list[Volume] | None = None
    imagePullSecrets: list[NameRef] | None = None
    priorityClassName: str | None = None
    restartPolicy: str | None = None
    readinessGates: Any = None
    serviceAccountName: str | None = None
    automountServiceAccountToken: bool | None = None
    resources: Any = None  # the pod's own requests and limits (PodLevelResources), when set


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
_POD = msgspec.json.Decoder(Pod)


# A relist (after a dropped watch or an expired resourceVersion) mostly sends what the
# cache holds already. Each item is first read for its name and resourceVersion only
# (untracked structs, a slice of the page's bytes); only the items that changed are
# decoded. Decoding all of them had cost 0.5 s at 10,000 pods, and the copies dropped at
# once scattered the heap (the soak's memory climbed with every relist).
class _RvMeta(msgspec.Struct, gc=False):
    name: str = ""
    namespace: str = ""
    resourceVersion: str = ""


class _RvItem(msgspec.Struct, gc=False):
    metadata: _RvMeta | None = None


class _RawPage(msgspec.Struct):
    metadata: dict[str, Any] | None = None
    items: list[msgspec.Raw] | None = None


_RAW_PAGE = msgspec.json.Decoder(_RawPage)
_RV_ITEM = msgspec.json.Decoder(_RvItem)


def prune(obj: Obj) -> Obj:
    """Drop what no view needs and costs the most memory (in place)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        ann = meta.get("annotations")
        if ann and LAST_APPLIED in ann:
            del ann[LAST_APPLIED]
    return obj


# Pod conditions the views read (and those a pod's readiness gates name); the others come
# with the full object.
KEPT_CONDITIONS = frozenset(("Ready", "ContainersReady", "PodScheduled", "Initialized"))
# each string -> its one shared copy, and a value's sorted JSON -> its one shared copy;
# what was seen once (a churned annotation, a pod's own timestamps) is forgotten after
# two generations (render/one_copy.py)
# (50,000 strings: an hour of churn to turn.) A string's key is its one copy; a map's
# is an exact copy of its JSON (an encoder's bytes can keep 4 KiB of capacity whatever
# their length, as orjson's did: a pod's own state, unique by its start time, had cost
# 4 KiB a pod)
_STRINGS: OneCopy[object, object] = OneCopy(10_000, lambda key, value: value)
_SHARED: OneCopy[bytes, object] = OneCopy(5_000, lambda key, value: bytes(memoryview(key)))
_EMPTY: Obj = {}
_KEY = msgspec.json.Encoder(order="sorted")


def _intern(s: _T) -> _T:
    """One shared copy of a repeated string (namespaces, images, node names, stamps)."""
    # the copy kept for a string is that string (`__class__ is str` is the fast test
    # here, and mypy does not narrow on it; no cast: a call per string on the hot path)
    if s.__class__ is not str:
        return s
    found = _STRINGS.newer.get(s)  # (most strings are found here, with no call)
    return found if found is not None else _STRINGS.setdefault(s, s)  # type: ignore[return-value]


def _share(value: _T) -> _T:
    """One shared copy of a small map that many pods repeat (resources, states)."""
    if not value:
        # cast: a value equal to {} is an empty map, which _EMPTY stands for
        return cast(_T, _EMPTY) if value == _EMPTY else value
    key = _KEY.encode(value)  # (maps and dict-faced structs alike)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED.add(key, value)  # (the table keeps an exact copy of the key)
    # cast: the copy kept for a JSON text is a value that serialises to it
    return cast(_T, found)


def compact_pod(pod: Obj) -> Obj:
    """Share repeated strings and empty maps, and keep the conditions views read and the
    ConfigMap / Secret references xray reads, of a pod the msgspec decoder built. Objects
    in a store are never changed in place, so sharing them is safe."""
    for key in ("kind", "apiVersion"):  # (a watch event's pods say them; lists may too)
        if key in pod:
            pod[key] = _intern(pod[key])
    meta = pod.get("metadata")
    if isinstance(meta, Meta):
        ann = meta.annotations
        if ann:
            if LAST_APPLIED in ann:
                del ann[LAST_APPLIED]
            meta.annotations = _share({_intern(k): _intern(v) for k, v in ann.items()})
        labels = meta.labels
        if labels:  # the pods of one ReplicaSet have the same labels: one map for them
            meta.labels = _share({_intern(k): _intern(v) for k, v in labels.items()})
        if meta.ownerReferences is not None:
            meta.ownerReferences = _share(meta.ownerReferences)
        _intern_fields(meta, _META_STRINGS)
    spec = pod.get("spec")
    if isinstance(spec, PodSpec):
        _compact_spec(spec)
    status = pod.get("status")
    if isinstance(status, PodStatus):  # (a dict-faced struct: pod_status.py)
        # the conditions its readiness gates name are kept too (READINESS GATES reads them)
        gates = frozenset(g.get("conditionType") for g in spec.readinessGates
                          if isinstance(g, dict)) \
            if isinstance(spec, PodSpec) and spec.readinessGates else _NO_GATES
        _compact_status(status, gates)
    return pod


_NO_GATES: frozenset[object] = frozenset()  # (most pods: nothing to build per pod)
_META_STRINGS = ("namespace", "creationTimestamp")
_SPEC_STRINGS = ("nodeName", "serviceAccountName", "restartPolicy", "priorityClassName")
_STATUS_STRINGS = ("phase", "qosClass", "hostIP", "startTime")


def _intern_fields(obj: DictFace, names: tuple[str, ...]) -> None:
    """The one shared copy of each of these fields that is set."""
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            setattr(obj, name, _intern(value))


def _compact_spec(spec: PodSpec) -> None:
    # (the lists hold TypedDicts, which are plain dicts: read and changed as such)
    containers = cast(list[Obj], spec.containers or [])
    _intern_fields(spec, _SPEC_STRINGS)
    for c in containers:
        c["name"], c["image"] = _intern(c.get("name", "")), _intern(c.get("image", ""))
        if "resources" in c:
            c["resources"] = _share(c["resources"])
        for probe in ("livenessProbe", "readinessProbe"):
            if probe in c:
                c[probe] = _share(c[probe])
        _keep_references(c)
    if spec.containers is not None:  # a workload's pods have the same (slim) containers
        spec.containers = _share(spec.containers)
    for c in cast(list[Obj], spec.initContainers or []):
        _keep_references(c)
    if spec.volumes:
        kept = [v for v in map(_slim_volume, cast(list[Obj], spec.volumes)) if len(v) > 1]
        # the ones naming a claim, a ConfigMap or a Secret
        spec.volumes = cast(list[Volume], _share(kept)) if kept else None
    if spec.imagePullSecrets is not None:
        spec.imagePullSecrets = _share(spec.imagePullSecrets)


def _compact_status(status: PodStatus, gates: frozenset[object]) -> None:
    conds = status.conditions
    if conds:
        # without their times, most pods' conditions are one of a few lists
        status.conditions = _share([cast(Condition, {k: _intern(v) for k, v in c.items()})
                                    for c in conds if (kind := c.get("type"))
                                    in KEPT_CONDITIONS or kind in gates])
    _intern_fields(status, _STATUS_STRINGS)
    seen: list[Any] = []  # this pod's states so far
    for statuses in (status.containerStatuses, status.initContainerStatuses):
        for cs in statuses or ():
            _compact_container(cs, seen)


def _compact_container(cs: ContainerStatus, seen: list[Any]) -> None:
    cs.name, cs.image = _intern(cs.name or ""), _intern(cs.image or "")
    if cs.imageID is not None:
        cs.imageID = _intern(cs.imageID)
    for key in ("state", "lastState"):
        state = getattr(cs, key)
        if state is None:
            continue
        if state.running is None and state.terminated is None:
            # (most lastStates are empty: the one empty map, without asking _share)
            setattr(cs, key, _share(state) if state.waiting is not None else _EMPTY)
            continue
        if state.running is not None:  # (pods started in the same second share it)
            state.running.startedAt = _intern(state.running.startedAt)
        # its own times: no other pod's, but often its other containers' (started in
        # the same second): one copy for them
        found = next((s for s in seen if s == state), state)
        setattr(cs, key, found)
        seen.append(found)


_REFS: OneCopy[tuple[object, ...], object] = OneCopy(5_000)


def _refs(key: tuple[object, ...], build: Callable[[], _T]) -> _T:
    """One shared copy of the reference lists many pods repeat."""
    found = _REFS.get(key)
    if found is None:
        found = _REFS.add(key, build())
    # cast: what is kept for a key is what the build given with that key made
    return cast(_T, found)


def _keep_references(c: Obj) -> None:
    """A container's env and envFrom, as its ConfigMap and Secret references only."""
    env = [(k, r.name) for e in c.get("env") or () if e.valueFrom is not None
           for k, r in (("configMapKeyRef", e.valueFrom.configMapKeyRef),
                        ("secretKeyRef", e.valueFrom.secretKeyRef)) if r is not None]
    if env:
        c["env"] = _refs(("env", *env), lambda: [{"valueFrom": {k: {"name": n}}}
                                                  for k, n in env])
    else:
        c.pop("env", None)
    env_from = [(k, r.name) for e in c.get("envFrom") or ()
                for k, r in (("configMapRef", e.configMapRef), ("secretRef", e.secretRef))
                if r is not None]
    if env_from:
        c["envFrom"] = _refs(("envFrom", *env_from), lambda: [{k: {"name": n}}
                                                              for k, n in env_from])
    else:
        c.pop("envFrom", None)


def _slim_volume(v: Obj) -> Obj:
    """A volume as a plain dict; a projected one keeps its ConfigMap and Secret sources
    (shared), and the volume is shared too when another pod has the same."""
    projected = v.pop("projected", None)
    if projected is None:
        return v
    sources = [(k, r.name) for s in projected.sources
               for k, r in (("configMap", s.configMap), ("secret", s.secret)) if r is not None]
    if not sources:
        return v
    projected = _refs(("projected", *sources), lambda: {"sources": [{k: {"name": n}}
                                                                     for k, n in sources]})
    return _refs(("volume", v.get("name"), *sources), lambda: {**v, "projected": projected})


def _prune_all(objs: list[Obj]) -> list[Obj]:
    for o in objs:
        compact_pod(o)
    return objs


class Malformed(Exception):
    """JSON the API never sends: not a watch event, not a List. Not a ValueError on
    purpose: the informer treats it as the unexpected (logged with its traceback, a
    relist), not as a torn stream."""


def decode_list(kind: str, data: Body) -> tuple[list[Obj], Obj]:
    """(items, list metadata) of a List response."""
    if kind == "Pod":
        try:
            out = _POD_LIST.decode(data)
            return _prune_all(cast(list[Obj], out.get("items") or [])), dict(
                out.get("metadata") or {})
        except msgspec.ValidationError:
            pass  # an odd object: take the slow path for the whole page
    doc = orjson.loads(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("items") or [], list):
        raise Malformed(f"a {kind} list that is not a List object: {data[:120]!r}")
    metadata = doc.get("metadata")
    return ([prune(o) for o in doc.get("items") or () if isinstance(o, dict)],
            metadata if isinstance(metadata, dict) else {})


def decode_pod_relist(data: Body, held: Callable[[str, str], bool]
                      ) -> tuple[list[Obj], Obj, list[str]]:
    """(changed pods, list metadata, keys of the pods `held(key, resourceVersion)` says
    the cache holds as they are) of a page of pods."""
    try:
        page = _RAW_PAGE.decode(data)
    except msgspec.DecodeError:
        items, meta = decode_list("Pod", data)  # (not the shape: the usual way, or Malformed)
        return items, meta, []
    changed: list[Obj] = []
    kept: list[str] = []
    for raw in page.items or ():
        try:
            m = _RV_ITEM.decode(raw).metadata
        except msgspec.ValidationError:
            m = None
        if m is not None and m.resourceVersion:
            key = f"{m.namespace}/{m.name}" if m.namespace else m.name
            if held(key, m.resourceVersion):
                kept.append(key)
                continue
        try:
            changed.append(compact_pod(cast(Obj, _POD.decode(raw))))
        except msgspec.ValidationError:
            obj = orjson.loads(bytes(raw))  # an odd pod: the slow way, never lost
            if isinstance(obj, dict):
                changed.append(prune(obj))
    return changed, dict(page.metadata or {}), kept


def decode_event(kind: str, line: bytes) -> tuple[str, Obj]:
    """(type, object) of one watch event line; ERROR objects stay whole Status dicts."""
    if kind == "Pod" and b'"ERROR"' not in line[:40] and b'"BOOKMARK"' not in line[:40]:
        try:
            pod_event = _POD_EVENT.decode(line)
            return pod_event["type"], compact_pod(cast(Obj, pod_event["object"]))
        except msgspec.ValidationError:
            pass
    ev = orjson.loads(line)
    if not isinstance(ev, dict) or not isinstance(ev.get("object") or {}, dict):
        raise Malformed(f"a watch line that is not an event: {line[:120]!r}")
    obj: Obj = ev.get("object") or {}
    return str(ev.get("type", "")), prune(obj) if ev.get("type") != "ERROR" else obj


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def _table_rows(doc: Obj) -> list[Obj]:
    return [{"metadata": ((row.get("object") or {}).get("metadata") or {}),
             "cells": row.get("cells") or []} for row in doc.get("rows") or ()]


def decode_table(data: Body) -> tuple[list[Obj], Obj, list[Obj]]:
    """(rows as {metadata, cells}, list metadata, column definitions) of a Table."""
    doc = orjson.loads(data)
    if doc.get("kind") != "Table":  # a server without Tables: names and ages only
        items = [{"metadata": o.get("metadata") or {}, "cells": [
            (o.get("metadata") or {}).get("name", "")]} for o in doc.get("items") or ()]
        return items, doc.get("metadata") or {}, [{"name": "Name", "priority": 0}]
    return _table_rows(doc), doc.get("metadata") or {}, doc.get("columnDefinitions") or []


def table_event(line: bytes) -> tuple[str, Obj]:
    """A watch event whose object is a one-row Table (or a Status, or a bookmark)."""
    ev = orjson.loads(line)
    etype, obj = ev.get("type", ""), ev.get("object") or {}
    if obj.get("kind") == "Table":
        rows = _table_rows(obj)
        return etype, rows[0] if rows else {"metadata": {}}
    return etype, obj
