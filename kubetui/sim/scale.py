"""The scale subresource (autoscaling/v1 Scale) of the kinds that have one: what
`kubectl scale` and the HPA controller read and write. A mixin of the API core."""

from __future__ import annotations

from .meta import conflict, deep_copy, invalid
from .patch import apply_patch
from .resources import Resource
from .selectors import selector_string
from .store import Store


class ScaleApi:
    store: Store

    def get_scale(self, res: Resource, ns: str, name: str) -> dict:
        obj = self.store.must_get(res, ns, name)
        sel = (obj.get("spec") or {}).get("selector") or {}
        meta = obj["metadata"]
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                              "creationTimestamp") if k in meta},
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": selector_string(sel.get("matchLabels"),
                                                   sel.get("matchExpressions"))},
        }

    def set_scale(self, res: Resource, ns: str, name: str, scale: dict) -> dict:
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise invalid(res, name, f"spec.replicas: Invalid value: {replicas!r}: must be "
                                     "greater than or equal to 0")
        obj = deep_copy(self.store.must_get(res, ns, name))
        rv = (scale.get("metadata") or {}).get("resourceVersion")
        if rv and rv != obj["metadata"]["resourceVersion"]:
            raise conflict(res, name)
        if obj["spec"].get("replicas") != replicas:
            obj["spec"]["replicas"] = replicas
            obj["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
            self.store.replace(res, obj)
        return self.get_scale(res, ns, name)

    def patch_scale(self, res: Resource, ns: str, name: str, content_type: str, body) -> dict:
        scale = apply_patch(self.get_scale(res, ns, name), content_type, body)
        return self.set_scale(res, ns, name, scale)
