"""Events as the real components record them, in the two styles a core/v1 reader sees:

- the old recorder's (kubelets, most controllers): `count`, `firstTimestamp`,
  `lastTimestamp`, `source`; a repeat bumps count and lastTimestamp;
- through events.k8s.io/v1 (`series=True`, the scheduler's): `eventTime` (microseconds),
  `action`, `reportingComponent` / `reportingInstance`, an empty `source`, and count,
  firstTimestamp and lastTimestamp null; a repeat sets `series {count,
  lastObservedTime}` on the event, as client-go's events broadcaster does."""

from __future__ import annotations

import secrets
from typing import Any

from .meta import ApiError, now_micro, now_rfc3339
from .resources import BY_KIND
from .store import Store

EVENTS = BY_KIND["Event"]
# events.k8s.io requires an action; the scheduler's are these
ACTIONS = {"FailedScheduling": "Scheduling", "Scheduled": "Binding"}


class Recorder:
    def __init__(self, store: Store, api):
        self.store = store
        self.api = api
        self._seen: dict[tuple, str] = {}

    def emit(self, obj: dict, etype: str, reason: str, message: str, component: str,
             host: str | None = None, field_path: str | None = None,
             series: bool = False, uid: str | None = None) -> None:
        """`uid`: the involved object's uid as the component says it, when not the
        object's own (a kubelet names its node by the node's name)."""
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        involved = {
            "kind": obj.get("kind"),
            "namespace": meta.get("namespace"),
            "name": meta["name"],
            "uid": uid or meta.get("uid"),
            "apiVersion": obj.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        }
        if not meta.get("namespace"):
            involved.pop("namespace")
        if field_path:
            involved["fieldPath"] = field_path
        key = (uid or meta.get("uid"), reason, message, field_path)
        existing_name = self._seen.get(key)
        if existing_name:
            ev = self.store.get(EVENTS, ns, existing_name)
            if ev is not None:
                ev = dict(ev)
                ev["metadata"] = dict(ev["metadata"])
                if series:
                    ev["series"] = {"count": (ev.get("series") or {}).get("count", 1) + 1,
                                    "lastObservedTime": now_micro()}
                else:
                    ev["count"] = ev.get("count", 1) + 1
                    ev["lastTimestamp"] = now_rfc3339()
                self.store.replace(EVENTS, ev)
                return
        name = f"{meta['name']}.{secrets.token_hex(8)}"
        event: dict[str, Any] = {
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "type": etype,
        }
        if series:
            event.update({"source": {}, "firstTimestamp": None, "lastTimestamp": None,
                          "eventTime": now_micro(), "action": ACTIONS.get(reason, reason),
                          "reportingComponent": component,
                          "reportingInstance": f"{component}-{host or 'sim'}"})
        else:
            now = now_rfc3339()
            event.update({"source": {"component": component, **({"host": host} if host
                                                                  else {})},
                          "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                          "eventTime": None, "reportingComponent": component,
                          "reportingInstance": host or ""})
        try:
            self.api.create(EVENTS, ns, event)
        except ApiError:  # the namespace may be going away; events are best effort
            return
        self._seen[key] = name
        if len(self._seen) > 50_000:
            self._seen.clear()
