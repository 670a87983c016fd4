"""The sim's `pods/portforward` against the official client's helper and kubectl: the
port prefix on both channels, redis and nginx answers, the API server's errors for a
missing pod and an unreachable kubelet, and kubectl's SPDY refused in words."""

from __future__ import annotations

import pytest
from kubernetes.client import CoreV1Api
from kubernetes.stream import portforward

from kubetui.kube.client import ApiError, KubeClient
from kubetui.kube.config import load_kubeconfig
from kubetui.kube.portforward import open_stream
from kubetui.sim.kubelet_link import ANNOTATION


def running(sim, prefix: str) -> dict:
    return next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith(prefix)
                and (p.get("status") or {}).get("phase") == "Running")


@pytest.fixture(scope="module")
def client(kubeconfig):
    c = KubeClient.connect(load_kubeconfig([kubeconfig]))
    yield c
    c.close()


def read_all(sock) -> bytes:
    out = b""
    while chunk := sock.recv(4096):
        out += chunk
    return out


def test_redis_answers_ping_through_the_helper(sim, api):
    pod = running(sim, "redis-")["metadata"]["name"]
    pf = portforward(CoreV1Api(api).connect_get_namespaced_pod_portforward, pod, "shop",
                     ports="6379")
    s = pf.socket(6379)
    s.settimeout(10)
    s.sendall(b"*1\r\n$4\r\nPING\r\n")
    assert s.recv(100) == b"+PONG\r\n"
    s.sendall(b"QUIT\r\n")
    assert read_all(s) == b"+OK\r\n"
    assert pf.error(6379) is None


def test_two_ports_on_one_websocket(sim, api):
    """Channels 0/1 for the first port, 2/3 for the second (the helper checks that the
    first frame on each carries its port)."""
    pod = running(sim, "frontend-")["metadata"]["name"]
    pf = portforward(CoreV1Api(api).connect_get_namespaced_pod_portforward, pod, "shop",
                     ports="80,9999")
    web = pf.socket(80)
    web.settimeout(10)
    web.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert read_all(web).startswith(b"HTTP/1.1 200 OK\r\n")
    other = pf.socket(9999)
    other.settimeout(10)
    assert read_all(other) == b""
    assert "127.0.0.1:9999: connect: connection refused" in pf.error(9999)
    pf.close()


def test_a_missing_pod_and_an_unreachable_kubelet(sim, client, kubectl):
    with pytest.raises(ApiError) as err:
        open_stream(client, "shop", "no-such-pod", 80)
    assert err.value.status == 404 and err.value.message == 'pods "no-such-pod" not found'
    pod = running(sim, "frontend-")
    node = pod["spec"]["nodeName"]
    ip = next(a["address"] for a in sim.get("Node", None, node)["status"]["addresses"]
              if a["type"] == "InternalIP")
    kubectl("annotate", "node", node, f"{ANNOTATION}=refused", "--overwrite")
    try:
        with pytest.raises(ApiError) as err:
            open_stream(client, "shop", pod["metadata"]["name"], 80)
        assert err.value.status == 500
        assert err.value.message == (f"error dialing backend: dial tcp {ip}:10250: connect: "
                                     "connection refused")
    finally:
        kubectl("annotate", "node", node, f"{ANNOTATION}-")


def test_no_port_is_a_bad_request(sim):
    """The kubelet's words, passed back by the API server, when no port is asked for."""
    import websocket
    pod = running(sim, "frontend-")["metadata"]["name"]
    url = sim.url.replace("http", "ws", 1) + f"/api/v1/namespaces/shop/pods/{pod}/portforward"
    with pytest.raises(websocket.WebSocketBadStatusException) as err:
        websocket.create_connection(url, subprotocols=["v4.channel.k8s.io"], timeout=10)
    assert err.value.status_code == 400
    assert b'query parameter \\"port\\" is required' in err.value.resp_body


def test_kubectl_port_forward_is_refused_in_words(sim, kubectl):
    """kubectl tunnels SPDY in a websocket, then falls back to SPDY: the sim speaks
    neither (README, sim limits) and says so."""
    pod = running(sim, "frontend-")["metadata"]["name"]
    out = kubectl("port-forward", "-n", "shop", pod, "0:80", check=False, timeout=30)
    assert out.returncode != 0
    assert "the simulated cluster speaks port-forward over websocket" in out.stderr


def test_rbac_counts_a_port_forward_as_create(tmp_path):
    """Since 1.31 a websocket GET to pods/portforward (and exec, attach) needs `create`:
    the read-only `view` role cannot forward, in the server's words."""
    from kubetui.sim import SimCluster
    sim = SimCluster(None, speed=20, tls=True).start()
    try:
        sim.create("Namespace", None, {"metadata": {"name": "shop"}})
        sim.create("RoleBinding", "shop", {
            "metadata": {"name": "dev-view"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": "view"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                          "name": "dev"}]})
        path = sim.write_kubeconfig(str(tmp_path / "dev"), "dev", user="dev")
        client = KubeClient.connect(load_kubeconfig([path]))
        try:
            client.get_json("/api/v1/namespaces/shop/pods")  # view may read
            with pytest.raises(ApiError) as err:
                open_stream(client, "shop", "web", 80)
        finally:
            client.close()
        assert err.value.status == 403
        assert err.value.message == ('pods "web" is forbidden: User "dev" cannot create '
                                     'resource "pods/portforward" in API group "" in the '
                                     'namespace "shop"')
    finally:
        sim.stop()


def test_a_forward_after_the_token_rotated_reloads_credentials(sim, client):
    """(Last in this module: the `api` fixture's token stops working.) A port-forward
    opened with the token the kubeconfig had: after a rotation it failed with 401; it
    now reloads the credentials once, as a request does, and opens."""
    pod = running(sim, "redis-")["metadata"]["name"]
    before = client.reloads
    sim.faults.rotate_token()
    pf = open_stream(client, "shop", pod, 6379)
    s = pf.socket(6379)
    s.settimeout(10)
    s.sendall(b"*1\r\n$4\r\nPING\r\n")
    assert s.recv(100) == b"+PONG\r\n"
    s.close()
    assert client.reloads == before + 1
