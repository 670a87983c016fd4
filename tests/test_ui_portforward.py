"""shift-f port-forward, end to end: the keys pick the port, a plain HTTP client fetches
the page through kubetui's forward on 127.0.0.1, many connections run at once, :pf shows
the forwards (the kubelet's refused text in full) and ctrl+d stops one; a deleted pod
ends its forward, a service's forward moves to another ready pod; read-only refuses."""

from __future__ import annotations

import http.client
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from conftest import wait_for, wait_until
from helpers import command, select
from kubernetes.client import CoreV1Api

from kubetui.sim.portforward import refused_message
from kubetui.ui.screens.modals import ConfirmScreen, PromptScreen
from kubetui.ui.screens.portforward import PortForwardScreen


def ready_pods(api, ns: str, label: str) -> list[str]:
    pods = CoreV1Api(api).list_namespaced_pod(ns, label_selector=label).items
    return sorted(p.metadata.name for p in pods if p.metadata.deletion_timestamp is None
                  and p.status.phase == "Running" and any(
                      c.type == "Ready" and c.status == "True"
                      for c in p.status.conditions or ()))


def fetch(port: int, path: str = "/") -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        return resp.status, resp.read().decode()


def refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def forward(pilot, app, kind: str, pattern: str):
    """Select the row, shift-f, accept the offered local port; the forward started."""
    before = len(app.forwards.forwards)
    await select(pilot, app, kind, pattern)
    await pilot.press("F")
    assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
    default = app.screen.query_one("#prompt-input").value
    assert default.isdigit()
    await pilot.press("enter")
    assert await wait_for(pilot, lambda: len(app.forwards.forwards) > before
                          and app.forwards.forwards[-1].state == "listening")
    fwd = app.forwards.forwards[-1]
    assert fwd.local_port == int(default)
    return fwd


async def test_forward_a_pod_fetch_the_page_many_at_once_and_stop_it(make_app, api, notes):
    pod = ready_pods(api, "shop", "app=frontend")[0]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        fwd = await forward(pilot, app, "po", f"^{pod}$")
        assert fwd.remote_port == 80 and fwd.pod == pod
        status, body = fetch(fwd.local_port)
        assert status == 200 and "Welcome to nginx!" in body and pod in body

        def one(i: int) -> tuple[int, bytes]:  # keep-alive: two requests on a connection
            conn = http.client.HTTPConnection("127.0.0.1", fwd.local_port, timeout=10)
            try:
                out = []
                for path in ("/", "/nope"):
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    out.append((resp.status, resp.read()))
                return out
            finally:
                conn.close()

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(8)))
        assert all([s for s, _ in r] == [200, 404] and pod.encode() in r[0][1]
                   for r in results)
        assert await wait_for(pilot, lambda: fwd.total == 9 and fwd.active == 0)
        assert fwd.bytes_in > 9 * len(body) and fwd.bytes_out > 0

        await command(pilot, "pf")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PortForwardScreen))
        screen = app.screen
        row = screen.table.row(str(id(fwd)))
        assert row is not None and row[0][0] == f"127.0.0.1:{fwd.local_port}"
        assert row[0][1] == f"shop/{pod}:80" and row[0][2] == "listening"
        assert row[0][3] == "0/9" and row[0][4].endswith("KiB")  # humanize's sizes
        await pilot.press("ctrl+d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await wait_for(pilot, lambda: fwd.state == "stopped")
        assert refused(fwd.local_port)
        assert await wait_for(pilot, lambda: screen.table.row(str(id(fwd)))[0][2]
                              == "stopped")
    assert notes.errors() == []


async def test_a_refused_port_shows_the_kubelets_words_in_the_manager(make_app, api, notes):
    pod = ready_pods(api, "shop", "app=cart")[0]  # http-echo: nothing the sim serves
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        fwd = await forward(pilot, app, "po", f"^{pod}$")
        assert fwd.remote_port == 8080
        with socket.create_connection(("127.0.0.1", fwd.local_port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(100) == b""  # the connection ends with nothing
        assert await wait_for(pilot, lambda: fwd.last_error and fwd.active == 0)
        obj = CoreV1Api(api).read_namespaced_pod(pod, "shop").to_dict()
        obj = {"metadata": {"uid": obj["metadata"]["uid"], "name": pod}}
        assert fwd.last_error == refused_message(obj, 8080)
        assert "IPv4: dial tcp4 127.0.0.1:8080: connect: connection refused" in fwd.last_error
        await command(pilot, "pf")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PortForwardScreen))
        detail = app.screen.query_one("#pf-detail")
        assert await wait_for(pilot, lambda: fwd.last_error in str(detail.render()))
        assert fwd.state == "listening"  # the listener stays, as kubectl's does
    assert notes.errors() == []


async def test_deleting_the_pod_ends_its_forward_with_a_message(make_app, api, notes):
    pod = ready_pods(api, "shop", "app=redis")[0]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        fwd = await forward(pilot, app, "po", f"^{pod}$")
        assert fwd.remote_port == 6379
        with socket.create_connection(("127.0.0.1", fwd.local_port), timeout=10) as s:
            s.sendall(b"PING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
            CoreV1Api(api).delete_namespaced_pod(pod, "shop", grace_period_seconds=0)
            wait_until(lambda: pod not in ready_pods(api, "shop", "app=redis"))
            s.settimeout(10)
            assert s.recv(100) == b""  # the open connection went with the pod
        assert await wait_for(pilot, lambda: fwd.state == "ended")
        # (said by the watcher's thread just after it ended the forward)
        assert await wait_for(pilot, lambda: notes.said(
            f"pod shop/{pod} is gone: port-forward {fwd.local} ended", "warning"))
        assert refused(fwd.local_port)
    assert notes.errors() == []
    wait_until(lambda: ready_pods(api, "shop", "app=redis"), timeout=30)  # for the others


async def test_a_service_forward_moves_to_another_ready_pod(make_app, api, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        fwd = await forward(pilot, app, "svc", "^frontend$")
        first = fwd.pod
        assert fwd.via == "svc/frontend" and fwd.remote_port == 80  # targetPort "http"
        assert first in fetch(fwd.local_port)[1]
        CoreV1Api(api).delete_namespaced_pod(first, "shop", grace_period_seconds=0)
        assert await wait_for(pilot, lambda: fwd.pod != first and fwd.state == "listening")
        assert await wait_for(pilot, lambda: notes.said(
            f"pod {first} went away, now forwarding to pod {fwd.pod}:80"))
        assert fwd.pod in ready_pods(api, "shop", "app=frontend")
        status, body = fetch(fwd.local_port)
        assert status == 200 and f"Served by pod {fwd.pod} " in body
    assert notes.errors() == []
    wait_until(lambda: len(ready_pods(api, "shop", "app=frontend")) == 3, timeout=30)


async def test_read_only_refuses_port_forward_and_says_why(make_app, api, notes):
    pod = ready_pods(api, "shop", "app=frontend")[0]
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        assert "F" not in {b.binding.key for b in app.screen.active_bindings.values()}
        await pilot.press("F")
        assert await wait_for(pilot, lambda: notes.said("refusing to port-forward"))
        assert notes.said("RBAC counts it as create on pods/portforward", "warning")
        assert not isinstance(app.screen, PromptScreen)
        assert app.forwards.forwards == []


async def test_a_workload_forward_and_quit_stops_every_forward(make_app, api, notes):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        fwd = await forward(pilot, app, "deploy", "^redis$")
        assert fwd.via == "deploy/redis" and fwd.pod in ready_pods(api, "shop", "app=redis")
        with socket.create_connection(("127.0.0.1", fwd.local_port), timeout=10) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
        await pilot.press("q")
        assert await wait_for(pilot, lambda: fwd.state == "stopped")
    assert refused(fwd.local_port)
    assert notes.errors() == []


async def test_an_unreachable_kubelet_shows_the_api_servers_words(make_app, api, sim,
                                                                   kubectl, notes):
    from kubetui.sim.kubelet_link import ANNOTATION
    pod = ready_pods(api, "shop", "app=frontend")[-1]
    node = CoreV1Api(api).read_namespaced_pod(pod, "shop").spec.node_name
    ip = next(a["address"] for a in sim.get("Node", None, node)["status"]["addresses"]
              if a["type"] == "InternalIP")
    app = make_app()
    kubectl("annotate", "node", node, f"{ANNOTATION}=refused", "--overwrite")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            fwd = await forward(pilot, app, "po", f"^{pod}$")
            with socket.create_connection(("127.0.0.1", fwd.local_port), timeout=10) as s:
                s.settimeout(10)
                assert s.recv(100) == b""
            assert await wait_for(pilot, lambda: fwd.last_error and fwd.active == 0)
            assert fwd.last_error == (f"error dialing backend: dial tcp {ip}:10250: "
                                      "connect: connection refused")
            await command(pilot, "pf")
            assert await wait_for(pilot, lambda: isinstance(app.screen, PortForwardScreen))
            row = app.screen.table.row(str(id(fwd)))
            assert row[0][6] == fwd.last_error and row[1] == "pending"
    finally:
        kubectl("annotate", "node", node, f"{ANNOTATION}-")
    assert notes.errors() == []


async def test_shift_f_in_describe_forwards_the_described_pod(make_app, api, notes):
    """The issue's other way in: the container port seen in describe."""
    from kubetui.ui.screens.object import ObjectScreen

    pod = ready_pods(api, "shop", "app=frontend")[0]
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        assert "Port:" in app.screen.text()  # the port it declares, shown in describe
        await pilot.press("F")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: app.forwards.forwards
                              and app.forwards.forwards[-1].state == "listening")
        fwd = app.forwards.forwards[-1]
        assert fwd.pod == pod and fwd.remote_port == 80
        assert "Welcome to nginx!" in fetch(fwd.local_port)[1]
