"""Node Leases, as the kubelet keeps them (its heartbeat since 1.17): one Lease a node in
`kube-node-lease`, named after the node, owned by it (deleted with it by the garbage
collector), `holderIdentity` the node's name, `leaseDurationSeconds` 40, renewed every
10 s with `renewTime` in microsecond RFC3339; no acquireTime (shaped as a v1.36 server's
leases in tests/fixtures/real-k8s/tables/leases.table-includeObject.json)."""

from __future__ import annotations

from .meta import ApiError, deep_copy, now_micro
from .resources import BY_KIND
from .store import ADDED, Change

NODES, LEASES = BY_KIND["Node"], BY_KIND["Lease"]
NAMESPACE = "kube-node-lease"
DURATION = 40
RENEW_EVERY = 10.0  # simulated seconds (the kubelet renews at a quarter of the duration)
MANAGER = "kubelet"


class NodeLeases:
    def __init__(self, sim):
        self.sim = sim
        self.api = sim.api
        self.store = sim.store
        self._renewing: set[str] = set()
        sim.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res is NODES and change.type == ADDED:
            name = change.obj["metadata"]["name"]
            if name not in self._renewing:
                self._renewing.add(name)
                self.sim.defer(lambda: self.renew(name))

    def renew(self, name: str) -> None:
        """Create or renew the node's Lease, then again in RENEW_EVERY; a node that is gone
        stops (its Lease goes with it, by ownerReferences)."""
        node = self.store.get(NODES, None, name)
        if node is None:
            self._renewing.discard(name)
            return
        try:
            self._write(node)
        finally:  # a refused write (the namespace going away) is retried, as a kubelet does
            self.sim.after(RENEW_EVERY, lambda: self.renew(name))

    def _write(self, node: dict) -> None:
        name = node["metadata"]["name"]
        lease = self.store.get(LEASES, NAMESPACE, name)
        if lease is None:
            self.api.create(LEASES, NAMESPACE, {
                "metadata": {"name": name, "namespace": NAMESPACE, "ownerReferences": [{
                    "apiVersion": "v1", "kind": "Node", "name": name,
                    "uid": node["metadata"]["uid"]}]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": DURATION,
                         "renewTime": now_micro()}}, manager=MANAGER)
            return
        lease = deep_copy(lease)
        lease.setdefault("spec", {})["renewTime"] = now_micro()
        try:
            self.api.update(LEASES, NAMESPACE, name, lease, manager=MANAGER)
        except ApiError as exc:  # someone wrote it in between: the next beat wins
            if exc.code != 409:
                raise
