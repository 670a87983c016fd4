"""`y` prints an object as `kubectl get -o yaml` does: keys sorted at every level
(apiVersion and kind first: a pod's came after its spec), strings that must be quoted
in double quotes. Checked against kubectl itself, on the sim."""

from __future__ import annotations

import json
import subprocess

from conftest import make_namespace, raw

from kubetui.render.yaml_view import object_yaml


def test_y_prints_what_kubectl_get_o_yaml_prints(sim, kubeconfig):
    ns = make_namespace(sim, "yaml-as-kubectl")
    sim.create("ConfigMap", ns, {"metadata": {"name": "awkward", "labels": {
        "z-last": "1", "a-first": "yes"}, "annotations": {"note": "héllo wörld"}},
        "data": {"on": "on", "number": "0123", "when": "2026-12-02T04:14:58Z",
                 "multi": "line one\nline two\n", "empty": "", "colon": "a: b",
                 "spaces": " padded "}})
    sim.create("Deployment", ns, {"metadata": {"name": "web"}, "spec": {
        "replicas": 0, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}})
    for kind, path in (("configmap/awkward", f"/api/v1/namespaces/{ns}/configmaps/awkward"),
                       ("deployment/web", f"/apis/apps/v1/namespaces/{ns}/deployments/web")):
        for _ in range(20):  # (the same version of the object, read both ways)
            _, obj = raw(sim, "GET", path)
            got = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "-n", ns, "get",
                                  kind, "-o", "yaml"], capture_output=True, text=True,
                                 check=True, timeout=60).stdout
            if f'resourceVersion: "{obj["metadata"]["resourceVersion"]}"' in got:
                break
        ours = object_yaml(json.loads(json.dumps(obj)))
        assert ours.startswith(f"apiVersion: {obj['apiVersion']}\n")
        assert ours == got, (kind, ours, got)
