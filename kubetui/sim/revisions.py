"""What StatefulSet and DaemonSet controllers share: ControllerRevisions (the history
`kubectl rollout history|undo sts/ds` reads), the pods a workload owns, and the status
write that skips no-op updates."""

from __future__ import annotations

from .controller import Controller, owner_ref
from .deployment import canonical_template, template_hash
from .meta import deep_copy
from .resources import BY_KIND, Resource

REVISIONS = BY_KIND["ControllerRevision"]
PODS = BY_KIND["Pod"]
HASH_LABEL = "controller-revision-hash"


class WorkloadController(Controller):
    """A controller of pods through ControllerRevisions (StatefulSet, DaemonSet)."""

    res: Resource  # the workload's (set by each subclass)

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change) -> None:
        if change.res is self.res:
            meta = change.obj["metadata"]
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS:
            for ref in change.obj["metadata"].get("ownerReferences") or ():
                if ref.get("controller") and ref.get("kind") == self.res.kind:
                    self.enqueue((change.obj["metadata"]["namespace"], ref["name"]))

    def owned(self, owner: dict, res=PODS) -> list[dict]:
        return super().owned(owner, res)

    def revision(self, owner: dict) -> tuple[str, str]:
        """(revision name, hash) of the owner's current template, creating the
        ControllerRevision when the template is new; old ones beyond the history limit
        are deleted."""
        template = owner["spec"]["template"]
        h = template_hash(canonical_template(template))
        name = f"{owner['metadata']['name']}-{h}"
        ns = owner["metadata"]["namespace"]
        revs = sorted(self.owned(owner, REVISIONS), key=lambda r: r.get("revision", 0))
        latest = revs[-1].get("revision", 0) if revs else 0
        existing = self.store.get(REVISIONS, ns, name)
        if existing is None:
            self.api.create(REVISIONS, ns, {
                "metadata": {"name": name, "labels": {
                    **(owner["spec"].get("selector") or {}).get("matchLabels", {}),
                    HASH_LABEL: h}, "ownerReferences": [owner_ref(owner)]},
                "data": {"spec": {"template": {**deep_copy(template), "$patch": "replace"}}},
                "revision": latest + 1,
            })
        elif existing.get("revision", 0) != latest:
            bumped = deep_copy(existing)
            bumped["revision"] = latest + 1  # a rollback makes an old revision newest
            self.api.update(REVISIONS, ns, name, bumped)
        limit = owner["spec"].get("revisionHistoryLimit", 10)
        old = [r for r in revs if r["metadata"]["name"] != name]
        for r in old[: max(0, len(old) - limit)]:
            self.api.delete(REVISIONS, ns, r["metadata"]["name"])
        return name, h

    def write_status(self, owner: dict, status: dict) -> None:
        if (owner.get("status") or {}) != status:
            new = deep_copy(owner)
            new["status"] = status
            self.api.update(self.res, new["metadata"]["namespace"], new["metadata"]["name"],
                            new, "status")

    def new_pod(self, owner: dict, name: str, extra_labels: dict) -> dict:
        template = deep_copy(owner["spec"]["template"])
        meta = template.get("metadata") or {}
        pod = {"metadata": {"name": name,
                            "labels": {**(meta.get("labels") or {}), **extra_labels},
                            "ownerReferences": [owner_ref(owner)]},
               "spec": template.get("spec") or {}}
        if meta.get("annotations"):
            pod["metadata"]["annotations"] = meta["annotations"]
        return pod
