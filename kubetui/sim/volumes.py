"""The volume binder and a local-path provisioner (as kind ships): a PVC whose storage
class exists gets a PV `pvc-<uid>` and is Bound (at once for Immediate classes, when a
pod first uses it for WaitForFirstConsumer); a PVC naming a class that does not exist
stays Pending with a ProvisioningFailed warning; an unset class takes the default one."""

from __future__ import annotations

from .controller import Controller
from .meta import deep_copy
from .resources import BY_KIND
from .store import Change

PVCS, PVS = BY_KIND["PersistentVolumeClaim"], BY_KIND["PersistentVolume"]
CLASSES, PODS = BY_KIND["StorageClass"], BY_KIND["Pod"]
DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def default_class(store) -> dict | None:
    for sc in store.list(CLASSES):
        if (sc["metadata"].get("annotations") or {}).get(DEFAULT_ANNOTATION) == "true":
            return sc
    return None


def claims_of(pod: dict) -> list[str]:
    return [v["persistentVolumeClaim"]["claimName"]
            for v in (pod.get("spec") or {}).get("volumes") or ()
            if v.get("persistentVolumeClaim")]


class VolumeBinder(Controller):
    delay = 0.5

    def __init__(self, sim):
        super().__init__(sim)
        self.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        meta = change.obj["metadata"]
        if change.res is PVCS:
            self.enqueue((meta["namespace"], meta["name"]))
        elif change.res is PODS and change.old is None:
            for claim in claims_of(change.obj):
                self.enqueue((meta["namespace"], claim))
        elif change.res is CLASSES:
            for pvc in self.store.list(PVCS):
                if (pvc.get("status") or {}).get("phase") == "Pending":
                    self.enqueue((pvc["metadata"]["namespace"], pvc["metadata"]["name"]))

    def sync(self, key) -> None:
        ns, name = key
        pvc = self.store.get(PVCS, ns, name)
        if pvc is None or pvc["metadata"].get("deletionTimestamp") or (
                pvc.get("status") or {}).get("phase") == "Bound":
            return
        class_name = pvc["spec"].get("storageClassName")
        if class_name is None:
            sc = default_class(self.store)
            if sc is None:
                return
            pvc = deep_copy(pvc)
            pvc["spec"]["storageClassName"] = sc["metadata"]["name"]
            self.api.update(PVCS, ns, name, pvc)
            return
        sc = self.store.get(CLASSES, None, class_name)
        if sc is None:
            self.recorder.emit(pvc, "Warning", "ProvisioningFailed",
                               f'storageclass.storage.k8s.io "{class_name}" not found',
                               "persistentvolume-controller")
            return
        if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not any(
                name in claims_of(p) for p in self.store.list(PODS, ns)):
            self.recorder.emit(pvc, "Normal", "WaitForFirstConsumer",
                               "waiting for first consumer to be created before binding",
                               "persistentvolume-controller")
            return
        self._provision(pvc, sc)

    def _provision(self, pvc: dict, sc: dict) -> None:
        ns, name = pvc["metadata"]["namespace"], pvc["metadata"]["name"]
        pv_name = f"pvc-{pvc['metadata']['uid']}"
        size = ((pvc["spec"].get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        modes = pvc["spec"].get("accessModes") or ["ReadWriteOnce"]
        provisioner = sc.get("provisioner", "")
        self.recorder.emit(pvc, "Normal", "Provisioning", f'External provisioner is '
                           f'provisioning volume for claim "{ns}/{name}"', provisioner)
        if self.store.get(PVS, None, pv_name) is None:
            self.api.create(PVS, None, {
                "metadata": {"name": pv_name, "annotations": {
                    "pv.kubernetes.io/provisioned-by": provisioner},
                    "finalizers": ["kubernetes.io/pv-protection"]},
                "spec": {"capacity": {"storage": size}, "accessModes": modes,
                         "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                         "storageClassName": sc["metadata"]["name"],
                         "hostPath": {"path": f"/var/local-path-provisioner/{pv_name}_{ns}_"
                                              f"{name}", "type": "DirectoryOrCreate"},
                         "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns,
                                      "name": name, "uid": pvc["metadata"]["uid"],
                                      "apiVersion": "v1"},
                         "volumeMode": pvc["spec"].get("volumeMode", "Filesystem")}})
        pv = deep_copy(self.store.get(PVS, None, pv_name))
        pv["status"] = {"phase": "Bound"}
        self.api.update(PVS, None, pv_name, pv, "status")
        bound = deep_copy(self.store.get(PVCS, ns, name))
        bound["spec"]["volumeName"] = pv_name
        bound = self.api.update(PVCS, ns, name, bound)
        bound = deep_copy(bound)
        bound["status"] = {"phase": "Bound", "accessModes": modes, "capacity": {"storage": size}}
        self.api.update(PVCS, ns, name, bound, "status")
        self.recorder.emit(pvc, "Normal", "ProvisioningSucceeded",
                           f"Successfully provisioned volume {pv_name}", provisioner)
