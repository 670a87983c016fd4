"""CustomResourceDefinitions: an established CRD serves a new kind (list, watch, get,
create, update, patch, delete; the status subresource when asked for) with Table columns
from its additionalPrinterColumns; deleting the CRD removes the kind and its objects."""

from __future__ import annotations

from .controller import Controller, set_condition
from .meta import deep_copy, now_rfc3339
from .resources import BY_KIND, Resource
from .store import DELETED, Change

CRDS = BY_KIND["CustomResourceDefinition"]


def resource_of(crd: dict) -> Resource | None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or () if v.get("served", True)]
    if not versions or not names.get("plural") or not names.get("kind"):
        return None
    version = next((v for v in versions if v.get("storage")), versions[0])
    subresources = ("status",) if "status" in (version.get("subresources") or {}) else ()
    return Resource(spec.get("group", ""), version["name"], names["plural"], names["kind"],
                    spec.get("scope", "Namespaced") == "Namespaced",
                    tuple(names.get("shortNames") or ()), subresources,
                    tuple(names.get("categories") or ()), has_status=bool(subresources),
                    singular=names.get("singular", names["kind"].lower()),
                    columns=tuple(version.get("additionalPrinterColumns") or ()))


class CrdController(Controller):
    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res is not CRDS:
            return
        if change.type == DELETED:
            res = resource_of(change.obj)
            if res is not None:
                self.sim.defer(lambda: self._remove(res))
            return
        self.enqueue(change.obj["metadata"]["name"])

    def sync(self, name) -> None:
        crd = self.store.get(CRDS, None, name)
        if crd is None:
            return
        res = resource_of(crd)
        if res is None:
            return
        registry = self.store.registry
        if crd["metadata"].get("deletionTimestamp"):
            return
        registry.register(res)
        status = deep_copy(crd.get("status") or {})
        now = now_rfc3339()
        set_condition(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now)
        set_condition(status, "Established", "True", "InitialNamesAccepted",
                      "the initial names have been accepted", now)
        status["acceptedNames"] = crd["spec"]["names"]
        status["storedVersions"] = [res.version]
        if status != (crd.get("status") or {}):
            new = deep_copy(crd)
            new["status"] = status
            self.api.update(CRDS, None, name, new, "status")

    def _remove(self, res: Resource) -> None:
        for obj in list(self.store.list(res)):
            meta = obj["metadata"]
            self.store.remove(res, meta.get("namespace"), meta["name"])
        self.store.registry.unregister(res.key)
