"""`metadata.managedFields` as the real API server keeps them: one entry per manager,
operation and subresource, with the time of its last change and the set of fields it
set (FieldsV1: `{"f:data": {"f:KEY": {}}}`). It is the only record of when an object's
content last changed (a ConfigMap has no generation), which is what the lint's
stale-config rule reads.

Simplified where no client looks: list items are owned as a whole (no `k:{...}` or
`v:...` keys), and a manager never loses fields to another (no conflicts; the sim's
server-side apply is a merge)."""

from __future__ import annotations

SERVER_SET = frozenset(("uid", "resourceVersion", "creationTimestamp", "generation",
                        "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
                        "selfLink", "namespace", "name", "generateName"))


def field_set(value) -> dict:
    """The FieldsV1 of a value: a map's keys, nested; anything else is a leaf."""
    if isinstance(value, dict):
        return {f"f:{k}": field_set(v) for k, v in value.items()}
    return {}


def _content(obj: dict | None, status: bool) -> dict:
    """What a write of the object (or of its status) sets."""
    obj = obj or {}
    if status:
        return {"status": obj.get("status") or {}}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_SET}
    out = {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind",
                                                      "apiVersion")}
    if meta:
        out["metadata"] = meta
    return out


def _changed(old, new) -> dict:
    """The field set of what `new` sets differently from `old`."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return field_set(new)
    out = {}
    for k, v in new.items():
        if k not in old or old[k] != v:
            out[f"f:{k}"] = _changed(old.get(k), v)
    return out


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out.get(k) or {}, v) if v else out.get(k, {})
    return out


def record(obj: dict, old: dict | None, manager: str, operation: str, api_version: str,
           time: str, subresource: str | None = None) -> None:
    """Note in `obj` (in place) that `manager` wrote it: a new entry, or its entry's
    fields and time brought up to date when the write changed anything."""
    status = subresource == "status"
    entries = [dict(e) for e in ((old or {}).get("metadata") or {}).get("managedFields") or ()]
    if old is None:
        fields = field_set(_content(obj, status))
    else:
        fields = _changed(_content(old, status), _content(obj, status))
    if fields:
        mine = next((e for e in entries if e.get("manager") == manager and
                     e.get("operation") == operation and e.get("subresource") == subresource),
                    None)
        if mine is None:
            mine = {"manager": manager, "operation": operation, "apiVersion": api_version,
                    "time": time, "fieldsType": "FieldsV1", "fieldsV1": {}}
            if subresource:
                mine["subresource"] = subresource
            entries.append(mine)
        mine["time"] = time
        mine["fieldsV1"] = _merge(mine.get("fieldsV1") or {}, fields)
    if entries:
        obj.setdefault("metadata", {})["managedFields"] = entries
    else:
        (obj.get("metadata") or {}).pop("managedFields", None)


def manager_from(query, headers) -> str:
    """The field manager of a request, as the real server names it: `fieldManager`,
    else the user agent up to its first '/' (`kubectl`, `python-requests`)."""
    return (query.get("fieldManager") or (headers.get("User-Agent") or "").split("/", 1)[0]
            or "unknown")[:128]
