"""A minimal OpenAPI v3 document: enough for kubectl to learn that this server validates
fields itself (the `fieldValidation` query parameter on PATCH), so plain `kubectl apply`
and `kubectl create -f` work without --validate=false. It carries no schemas."""

from __future__ import annotations

import hashlib

from .resources import Registry


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def root(reg: Registry) -> dict:
    paths = {}
    for r in reg.all():
        gv = _gv_path(r.group, r.version)
        digest = hashlib.sha256(gv.encode()).hexdigest()[:32].upper()
        paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": paths}


def group_version(reg: Registry, path: str) -> dict | None:
    """The document of one group/version (`api/v1`, `apis/apps/v1`)."""
    out = {}
    for r in reg.all():
        if _gv_path(r.group, r.version) != path:
            continue
        gvk = {"group": r.group, "version": r.version, "kind": r.kind}
        params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string",
                   "uniqueItems": True}}, {"name": "dryRun", "in": "query",
                                           "schema": {"type": "string"}}]
        item = f"/{path}/namespaces/{{namespace}}/{r.plural}/{{name}}" if r.namespaced \
            else f"/{path}/{r.plural}/{{name}}"
        out[item] = {"patch": {"operationId": f"patch{r.kind}",
                               "x-kubernetes-group-version-kind": gvk,
                               "x-kubernetes-action": "patch", "parameters": params,
                               "responses": {"200": {"description": "OK"}}}}
    if not out:
        return None
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes (kubetui sim)",
                                         "version": "v1.36.2"}, "paths": out}
