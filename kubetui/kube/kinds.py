"""The kinds kubetui knows by name: where each lives in the API and what it is called.
Any other kind (CRDs included) is found through discovery and shown through the
server-side Table API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool = True
    short: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None,
             sub: str | None = None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            root += f"/namespaces/{namespace}"
        out = f"{root}/{self.plural}"
        if name:
            out += f"/{name}"
            if sub:
                out += f"/{sub}"
        return out


KINDS = {k.kind: k for k in (
    Kind("Pod", "", "v1", "pods", short=("po",)),
    Kind("Service", "", "v1", "services", short=("svc",)),
    Kind("ConfigMap", "", "v1", "configmaps", short=("cm",)),
    Kind("Secret", "", "v1", "secrets"),
    Kind("ServiceAccount", "", "v1", "serviceaccounts", short=("sa",)),
    Kind("Event", "", "v1", "events", short=("ev",)),
    Kind("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", short=("pvc",)),
    Kind("Endpoints", "", "v1", "endpoints", short=("ep",)),
    Kind("Namespace", "", "v1", "namespaces", False, ("ns",)),
    Kind("Node", "", "v1", "nodes", False, ("no",)),
    Kind("PersistentVolume", "", "v1", "persistentvolumes", False, ("pv",)),
    Kind("Deployment", "apps", "v1", "deployments", short=("deploy",)),
    Kind("ReplicaSet", "apps", "v1", "replicasets", short=("rs",)),
    Kind("StatefulSet", "apps", "v1", "statefulsets", short=("sts",)),
    Kind("DaemonSet", "apps", "v1", "daemonsets", short=("ds",)),
    Kind("ControllerRevision", "apps", "v1", "controllerrevisions"),
    Kind("Job", "batch", "v1", "jobs"),
    Kind("CronJob", "batch", "v1", "cronjobs", short=("cj",)),
    Kind("Ingress", "networking.k8s.io", "v1", "ingresses", short=("ing",)),
    Kind("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", short=("netpol",)),
    Kind("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices"),
    Kind("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers",
         short=("hpa",)),
    Kind("StorageClass", "storage.k8s.io", "v1", "storageclasses", False, ("sc",)),
    Kind("Role", "rbac.authorization.k8s.io", "v1", "roles"),
    Kind("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings"),
    Kind("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    Kind("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings",
         False),
    Kind("CustomResourceDefinition", "apiextensions.k8s.io", "v1",
         "customresourcedefinitions", False, ("crd", "crds")),
)}


def kind(name: str) -> Kind:
    """A kind by its name, plural or short name (`Pod`, `pods`, `po`)."""
    low = name.lower()
    for k in KINDS.values():
        if low in (k.kind.lower(), k.plural) or low in k.short:
            return k
    raise KeyError(f"unknown kind {name!r}")
