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
    virtual: bool = False  # computed on request (metrics, reviews), never stored
    columns: tuple = ()  # a CRD's additionalPrinterColumns

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


RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "namespaces", "Namespace", False, ("ns",), ("status", "finalize"),
             verbs=tuple(v for v in ALL_VERBS if v != "deletecollection")),
    Resource("", "v1", "nodes", "Node", False, ("no",), ("status", "proxy")),
    Resource("", "v1", "pods", "Pod", True, ("po",),
             ("status", "log", "exec", "attach", "portforward", "binding", "eviction",
              "ephemeralcontainers"), ("all",)),
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
    Resource("apps", "v1", "statefulsets", "StatefulSet", True, ("sts",), ("status", "scale"),
             ("all",)),
    Resource("apps", "v1", "daemonsets", "DaemonSet", True, ("ds",), ("status",), ("all",)),
    Resource("apps", "v1", "controllerrevisions", "ControllerRevision", True, (), (),
             has_status=False),
    Resource("batch", "v1", "jobs", "Job", True, (), ("status",), ("all",)),
    Resource("batch", "v1", "cronjobs", "CronJob", True, ("cj",), ("status",), ("all",)),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",)),
    Resource("", "v1", "persistentvolumes", "PersistentVolume", False, ("pv",)),
    Resource("", "v1", "endpoints", "Endpoints", True, ("ep",), (), has_status=False),
    # stored and listed, no controller runs them (kubectl cluster-info dump reads them)
    Resource("", "v1", "replicationcontrollers", "ReplicationController", True, ("rc",),
             ("status", "scale"), ("all",)),
    Resource("", "v1", "componentstatuses", "ComponentStatus", False, ("cs",), (),
             verbs=("get", "list"), has_status=False, virtual=True),
    Resource("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ("sc",), (),
             has_status=False),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",), ("status",)),
    Resource("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False, (), (),
             has_status=False),
    Resource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True,
             ("netpol",), (), has_status=False),
    Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True, (), (),
             has_status=False),
    Resource("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
             ("hpa",), ("status",), ("all",)),
    Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ("pdb",)),
    Resource("coordination.k8s.io", "v1", "leases", "Lease", True, (), (), has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True, (), (),
             has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True, (), (),
             has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, (), (),
             has_status=False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding",
             False, (), (), has_status=False),
    Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
             "CustomResourceDefinition", False, ("crd", "crds"), ("status",)),
    Resource("authorization.k8s.io", "v1", "selfsubjectaccessreviews",
             "SelfSubjectAccessReview", False, (), (), verbs=("create",), has_status=False,
             virtual=True),
    Resource("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview",
             False, (), (), verbs=("create",), has_status=False, virtual=True),
    Resource("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview",
             False, (), (), verbs=("create",), has_status=False, virtual=True),
    Resource("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", False,
             (), (), verbs=("create",), has_status=False, virtual=True),
    Resource("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True, (), (),
             verbs=("get", "list"), has_status=False, virtual=True),
    Resource("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False, (), (),
             verbs=("get", "list"), has_status=False, virtual=True),
)

BY_KEY = {r.key: r for r in RESOURCES}
BY_KIND = {r.kind: r for r in RESOURCES}


class Registry:
    """The kinds one sim serves: the built-in ones and those its CRDs add."""

    def __init__(self):
        self._custom: dict[str, Resource] = {}

    def all(self) -> tuple[Resource, ...]:
        return RESOURCES + tuple(self._custom.values())

    def register(self, res: Resource) -> None:
        self._custom[res.key] = res

    def unregister(self, key: str) -> Resource | None:
        return self._custom.pop(key, None)

    def lookup(self, group: str, version: str, plural: str) -> Resource | None:
        key = f"{plural}.{group}" if group else plural
        r = BY_KEY.get(key) or self._custom.get(key)
        if r is not None and r.version == version:
            return r
        return None

    def groups(self) -> dict[str, list[str]]:
        """API group -> versions served (core group excluded)."""
        out: dict[str, list[str]] = {}
        for r in self.all():
            if r.group and r.version not in out.setdefault(r.group, []):
                out[r.group].append(r.version)
        return out
