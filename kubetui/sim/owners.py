"""Who owns whom: the objects that name an owner's uid in their ownerReferences, kept
by a store listener, for the garbage collector (propagation policies, orphaning,
foreground deletion)."""

from __future__ import annotations

from .store import DELETED, Change


class OwnerIndex:
    """owner uid -> the objects that name it in ownerReferences (kept by a listener)."""

    def __init__(self):
        self.by_owner: dict[str, set[tuple[str, str, str]]] = {}

    def on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        ident = (change.res.kind, meta.get("namespace", ""), meta["name"])
        old_uids = {r["uid"] for r in ((change.old or {}).get("metadata") or {})
                    .get("ownerReferences") or ()}
        new_uids = set() if change.type == DELETED else {
            r["uid"] for r in meta.get("ownerReferences") or ()}
        for uid in old_uids - new_uids:
            deps = self.by_owner.get(uid)
            if deps:
                deps.discard(ident)
                if not deps:
                    del self.by_owner[uid]
        for uid in new_uids:
            self.by_owner.setdefault(uid, set()).add(ident)

    def dependents(self, uid: str) -> list[tuple[str, str, str]]:
        return sorted(self.by_owner.get(uid, ()))
