"""Kinds the server serves beyond the built-in ones (CRDs, aggregated APIs), found
through discovery: `/apis` and each group version's resource list."""

from __future__ import annotations

from kubetui.render.json_types import Obj

from .client import ApiError, KubeClient
from .kinds import KINDS, Kind


def discover(client: KubeClient) -> dict[str, Kind]:
    """Every listable kind the server serves that kubetui has no built-in view for,
    by kind name. Unreachable groups are skipped, not fatal."""
    out: dict[str, Kind] = {}
    try:
        groups = client.get_json("/apis", timeout=10).get("groups") or []
    except ApiError:
        return out
    for group in groups:
        preferred = (group.get("preferredVersion") or {}).get("groupVersion")
        if not preferred:
            continue
        try:
            resources = client.get_json(f"/apis/{preferred}", timeout=10).get("resources") or []
        except ApiError:
            continue
        name, _, version = preferred.partition("/")
        for r in resources:
            if "/" in r.get("name", "") or "list" not in (r.get("verbs") or ()):
                continue
            if r.get("kind") in KINDS or r.get("kind") in out:
                continue
            out[r["kind"]] = kind_of_resource(r, name, version)
    return out


def kind_of_resource(r: Obj, group: str, version: str) -> Kind:
    """A Kind from an entry of a group version's resource list (discovery)."""
    return Kind(r["kind"], group, version, r["name"], bool(r.get("namespaced")),
                tuple(r.get("shortNames") or ()))


def find(word: str, extra: dict[str, Kind]) -> Kind | None:
    low = word.lower()
    for k in extra.values():
        if low in (k.kind.lower(), k.plural, f"{k.plural}.{k.group}") or low in k.short:
            return k
    return None
