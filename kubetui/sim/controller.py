"""The shape every sim controller shares: level-triggered reconcile of dirty keys,
drained on the server's event loop shortly after they were marked."""

from __future__ import annotations

import logging

from .meta import ApiError

log = logging.getLogger("kubetui.sim")


class Controller:
    delay = 0.02  # seconds between a change and the reconcile it triggers (before speed)

    def __init__(self, sim):
        self.sim = sim
        self.api = sim.api
        self.store = sim.store
        self.recorder = sim.recorder
        self._dirty: set = set()
        self._scheduled = False

    def enqueue(self, key) -> None:
        self._dirty.add(key)
        if not self._scheduled:
            self._scheduled = True
            self.sim.defer(self._drain, self.delay)

    running = True  # False: the component is down (its work waits, as on a real cluster)

    def set_running(self, running: bool) -> None:
        self.running = running
        if running and self._dirty and not self._scheduled:
            self._scheduled = True
            self.sim.defer(self._drain, self.delay)

    def _drain(self) -> None:
        self._scheduled = False
        if not self.running:
            return  # the keys stay dirty until it runs again
        keys, self._dirty = self._dirty, set()
        for key in sorted(keys):
            try:
                self.sync(key)
            except ApiError as exc:
                log.debug("%s: %s: %s", type(self).__name__, key, exc.message)
            except Exception:  # a controller bug must not stop the cluster
                log.exception("%s failed on %s", type(self).__name__, key)

    def sync(self, key) -> None:
        raise NotImplementedError

    def owned(self, owner: dict, res) -> list[dict]:
        """The objects of `res` in the owner's namespace whose controller is `owner`."""
        ns, uid = owner["metadata"].get("namespace", ""), owner["metadata"]["uid"]
        out = []
        for kind, ons, name in self.api.owners.dependents(uid):
            if kind == res.kind and ons == ns:
                obj = self.store.get(res, ons, name)
                if obj is not None and owned_by(obj, uid):
                    out.append(obj)
        return out


def controller_ref(obj: dict) -> dict | None:
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def owned_by(obj: dict, uid: str) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.get("uid") == uid


def owner_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def condition(status: dict, ctype: str) -> dict | None:
    for c in status.get("conditions") or ():
        if c.get("type") == ctype:
            return c
    return None


def set_condition(status: dict, ctype: str, value: str, reason: str, message: str, now: str,
                  with_update_time: bool = False) -> None:
    """Set a condition, keeping lastTransitionTime when the status does not change."""
    conds = status.setdefault("conditions", [])
    old = condition(status, ctype)
    new = {"type": ctype, "status": value}
    if reason:
        new["reason"] = reason
    if message:
        new["message"] = message
    if with_update_time:
        new["lastUpdateTime"] = now
    new["lastTransitionTime"] = old["lastTransitionTime"] if old and old.get(
        "status") == value and old.get("lastTransitionTime") else now
    if old is None:
        conds.append(new)
    else:
        if with_update_time and all(old.get(k) == new.get(k) for k in ("status", "reason",
                                                                        "message")):
            new["lastUpdateTime"] = old.get("lastUpdateTime", now)
        conds[conds.index(old)] = new
