"""The kinds the simulated API server serves, as discovery describes them."""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ("status",)
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    has_status: bool = True
    singular: str = field(default="")

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """Unique store key: plural.group (like etcd's registry path)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified(self) -> str:
        """How error messages name it: `deployments.apps`, `pods`."""
        return self.key

    def base_path(self, namespace: str | None = None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{root}/namespaces/{namespace}/{self.plural}"
        return f"{root}/{self.plural}"


RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "namespaces", "Namespace", False, ("ns",), ("status", "finalize")),
    Resource("", "v1", "nodes", "Node", False, ("no",), ("status", "proxy")),
    Resource("", "v1", "pods", "Pod", True, ("po",),
             ("status", "log", "exec", "binding", "eviction", "ephemeralcontainers"), ("all",)),
    Resource("", "v1", "services", "Service", True, ("svc",), ("status", "proxy"), ("all",)),
    Resource("", "v1", "configmaps", "ConfigMap", True, ("cm",), (), has_status=False),
    Resource("", "v1", "secrets", "Secret", True, (), (), has_status=False),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ("sa",), ("token",),
             has_status=False),
    Resource("", "v1", "events", "Event", True, ("ev",), (), has_status=False),
    Resource("apps", "v1", "deployments", "Deployment", True, ("deploy",), ("status", "scale"),
             ("all",)),
    Resource("apps", "v1", "replicasets", "ReplicaSet", True, ("rs",), ("status", "scale"),
             ("all",)),
)

BY_KEY = {r.key: r for r in RESOURCES}
BY_KIND = {r.kind: r for r in RESOURCES}


def lookup(group: str, version: str, plural: str) -> Resource | None:
    r = BY_KEY.get(f"{plural}.{group}" if group else plural)
    if r is not None and r.version == version:
        return r
    return None


def groups() -> dict[str, list[str]]:
    """API group -> versions served (core group excluded)."""
    out: dict[str, list[str]] = {}
    for r in RESOURCES:
        if r.group and r.version not in out.setdefault(r.group, []):
            out[r.group].append(r.version)
    return out
