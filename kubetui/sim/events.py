"""Events as the real components record them (core/v1 Event, deduplicated by count)."""

from __future__ import annotations

import secrets

from .meta import now_rfc3339
from .resources import BY_KIND
from .store import Store

EVENTS = BY_KIND["Event"]


class Recorder:
    def __init__(self, store: Store, api):
        self.store = store
        self.api = api
        self._seen: dict[tuple, str] = {}

    def emit(self, obj: dict, etype: str, reason: str, message: str, component: str,
             host: str | None = None, field_path: str | None = None) -> None:
        meta = obj["metadata"]
        ns = meta.get("namespace") or "default"
        involved = {
            "kind": obj.get("kind"),
            "namespace": meta.get("namespace"),
            "name": meta["name"],
            "uid": meta.get("uid"),
            "apiVersion": obj.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        }
        if not meta.get("namespace"):
            involved.pop("namespace")
        if field_path:
            involved["fieldPath"] = field_path
        key = (meta.get("uid"), reason, message, field_path)
        now = now_rfc3339()
        existing_name = self._seen.get(key)
        if existing_name:
            ev = self.store.get(EVENTS, ns, existing_name)
            if ev is not None:
                ev = dict(ev)
                ev["metadata"] = dict(ev["metadata"])
                ev["count"] = ev.get("count", 1) + 1
                ev["lastTimestamp"] = now
                self.store.replace(EVENTS, ev)
                return
        name = f"{meta['name']}.{secrets.token_hex(8)}"
        source = {"component": component}
        if host:
            source["host"] = host
        event = {
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": etype,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
        try:
            self.api.create(EVENTS, ns, event)
        except Exception:  # the namespace may be going away; events are best effort
            return
        self._seen[key] = name
        if len(self._seen) > 50_000:
            self._seen.clear()

