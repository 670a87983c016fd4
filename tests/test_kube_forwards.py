"""The port-forward manager's plain parts: which ports are offered, a service's
targetPort by name, the next free local port, and a closing session's forwards."""

from __future__ import annotations

import socket

from kubetui.kube.forwards import ForwardManager, port_choices, resolve_port
from kubetui.kube.portforward import HOST, Forward, free_port

POD = {"metadata": {"name": "web-1", "namespace": "shop"},
       "spec": {"containers": [
           {"name": "web", "ports": [{"containerPort": 8080, "name": "http"},
                                     {"containerPort": 53, "protocol": "UDP"}]},
           {"name": "sidecar", "ports": [{"containerPort": 9090}]}]}}


def test_a_pods_tcp_ports_and_a_services_mapping():
    assert [(c.label, c.port, c.target) for c in port_choices("Pod", POD)] == [
        ("8080/http (web)", 8080, 8080), ("9090 (sidecar)", 9090, 9090)]
    deploy = {"spec": {"template": POD}}
    assert [c.port for c in port_choices("Deployment", deploy)] == [8080, 9090]
    svc = {"spec": {"ports": [{"name": "web", "port": 80, "targetPort": "http"},
                              {"port": 53, "protocol": "UDP"}, {"port": 9090}]}}
    choices = port_choices("Service", svc)
    assert [(c.label, c.port, c.target) for c in choices] == [
        ("80/web -> http", 80, "http"), ("9090 -> 9090", 9090, 9090)]
    assert resolve_port(POD, "http") == 8080 and resolve_port(POD, "nope") is None
    assert resolve_port(POD, 7000) == 7000


def test_the_next_free_port_and_only_loopback():
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert free_port(port) != port
        fwd = Forward(None, "shop", "web-1", 80, free_port(port)).start()
        try:
            with socket.socket() as probe:  # bound on 127.0.0.1 only
                assert probe.connect_ex((HOST, fwd.local_port)) == 0
            assert fwd._listener.getsockname()[0] == "127.0.0.1"
        finally:
            fwd.stop()
        assert fwd.state == "stopped"


def test_a_closing_sessions_forwards_stop_and_say_why():
    manager = ForwardManager()
    a, b = object(), object()
    fa = Forward(a, "shop", "web-1", 80, free_port(20000)).start()
    fb = Forward(b, "shop", "web-2", 80, free_port(fa.local_port + 1)).start()
    manager.forwards += [fa, fb]
    try:
        assert manager.stop_client(a) == 1
        assert fa.state == "stopped" and "context switched" in fa.last_error
        assert fb.state == "listening"
    finally:
        manager.stop_all()
    assert fb.state == "stopped"
