"""What a new namespace gets from the controller manager: the `default` ServiceAccount
and the `kube-root-ca.crt` ConfigMap."""

from __future__ import annotations

from .meta import ApiError
from .resources import BY_KIND, Resource
from .store import ADDED, Change

CA_PEM = ("-----BEGIN CERTIFICATE-----\nMIIBsimulatedkubetuiCAcertificateplaceholder\n"
          "-----END CERTIFICATE-----\n")


class NamespaceBootstrap:
    def __init__(self, api):
        self.api = api
        api.store.listeners.append(self.on_change)

    def on_change(self, change: Change) -> None:
        if change.res.kind == "Namespace" and change.type == ADDED:
            name = change.obj["metadata"]["name"]
            self.api.defer(lambda: self.populate(name))

    def populate(self, ns: str) -> None:
        made: list[tuple[Resource, dict]] = [
            (BY_KIND["ServiceAccount"], {"metadata": {"name": "default"}}),
            (BY_KIND["ConfigMap"], {"metadata": {"name": "kube-root-ca.crt", "annotations": {
                "kubernetes.io/description": "Contains a CA bundle that can be used to verify "
                "the kube-apiserver when using internal endpoints such as the internal "
                "service IP or kubernetes.default.svc. No other usage is guaranteed across "
                "distributions of Kubernetes clusters."}},
                "data": {"ca.crt": CA_PEM}}),
        ]
        for res, body in made:
            if self.api.store.get(res, ns, body["metadata"]["name"]) is None:
                try:
                    self.api.create(res, ns, body)
                except ApiError:
                    pass
