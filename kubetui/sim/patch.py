"""The three patch types the API server accepts: JSON patch, merge patch, and strategic
merge patch with the merge keys of the core kinds."""

from __future__ import annotations

import jsonpatch

from .meta import ApiError, deep_copy

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# List fields merged by key (patchStrategy=merge, patchMergeKey=...) in the core kinds.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "conditions": "type",
    "imagePullSecrets": "name",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "addresses": "type",
}
# Lists of scalars merged as sets.
SET_LISTS = {"finalizers"}


def _ports_key(items: list) -> str:
    sample = next((i for i in items if isinstance(i, dict)), {})
    return "containerPort" if "containerPort" in sample else "port"


def _merge_key(field: str, items: list) -> str | None:
    if field == "ports":
        return _ports_key(items)
    return MERGE_KEYS.get(field)


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return deep_copy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _strategic_list(field: str, original: list, patch: list) -> list:
    if field in SET_LISTS:
        out = list(original)
        for v in patch:
            if v not in out:
                out.append(v)
        return out
    key = _merge_key(field, patch or original)
    if not key or not all(isinstance(i, dict) for i in patch):
        return deep_copy([i for i in patch if not (isinstance(i, dict) and "$patch" in i)])
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return deep_copy([i for i in patch if i.get("$patch") != "replace"])
    out = [deep_copy(i) for i in original]
    index = {i.get(key): n for n, i in enumerate(out) if isinstance(i, dict)}
    deletions = set()
    for item in patch:
        ident = item.get(key)
        if item.get("$patch") == "delete":
            deletions.add(ident)
            continue
        if ident in index:
            out[index[ident]] = strategic_merge(out[index[ident]], item)
        else:
            out.append(strategic_merge({}, item))
            index[ident] = len(out) - 1
    return [i for i in out if not (isinstance(i, dict) and i.get(key) in deletions)]


def _reorder(items: list, field: str, order: list) -> list:
    key = _merge_key(field, items)
    if not key:
        return items
    rank = {v.get(key) if isinstance(v, dict) else v: n for n, v in enumerate(order)}
    return sorted(items, key=lambda i: rank.get(i.get(key) if isinstance(i, dict) else i,
                                                len(rank)))


def strategic_merge(original, patch):
    """Strategic merge patch over plain dicts, with the directives kubectl sends
    ($patch, $retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/...)."""
    if not isinstance(patch, dict):
        return deep_copy(patch)
    if patch.get("$patch") == "replace":
        return deep_copy({k: v for k, v in patch.items() if k != "$patch"})
    if patch.get("$patch") == "delete":
        return None
    result = dict(original) if isinstance(original, dict) else {}
    orders = {}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
            continue
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _strategic_list(key, result[key], value)
        elif isinstance(value, list):
            result[key] = _strategic_list(key, [], value)
        else:
            result[key] = value
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _reorder(result[field], field, order)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def apply_patch(obj: dict, content_type: str, body):
    ctype = (content_type or "").split(";")[0].strip()
    try:
        if ctype == JSON_PATCH:
            if not isinstance(body, list):
                raise ApiError(400, "BadRequest", "json patch must be a list of operations")
            return jsonpatch.apply_patch(obj, body)
        if ctype == MERGE_PATCH:
            return merge_patch(obj, body)
        if ctype in (STRATEGIC_PATCH, APPLY_PATCH):
            return strategic_merge(obj, body)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise ApiError(422, "Invalid", f"the server rejected our request due to an error in "
                                       f"our request: {exc}") from exc
    raise ApiError(415, "UnsupportedMediaType",
                   f"the body of the request was in an unknown format - accepted media types "
                   f"include: {JSON_PATCH}, {MERGE_PATCH}, {STRATEGIC_PATCH}, {APPLY_PATCH}")
