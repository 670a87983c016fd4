"""Ephemeral debug containers: `s` on a pod whose image has no shell offers one, the
checklist's `e` too; after a confirmation kubetui patches pods/NAME/ephemeralcontainers
(checked through the API: name, image, target, stdin, tty), waits until it runs, and
opens a shell in it that sees the target's processes and files. Read-only refuses; the
sim validates as the real server (422 on a changed one, 404 for a missing pod), and
kubectl debug works against it."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile

import pytest
from conftest import wait_for, wait_until
from helpers import select
from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException

from kubetui.ui.screens.checklist import ChecklistScreen
from kubetui.ui.screens.modals import ConfirmScreen


def running_pod(api, label: str, fresh: bool = False) -> str:
    """A running pod; `fresh`: one no test has given a debug container yet."""
    def found():
        pods = CoreV1Api(api).list_namespaced_pod("shop", label_selector=label).items
        return sorted(p.metadata.name for p in pods if p.status.phase == "Running"
                      and p.metadata.deletion_timestamp is None
                      and not (fresh and p.spec.ephemeral_containers))
    return wait_until(found)[0]


def ephemeral(api, pod: str) -> list:
    return CoreV1Api(api).read_namespaced_pod(pod, "shop").spec.ephemeral_containers or []


def ec_state(api, pod: str, name: str):
    st = CoreV1Api(api).read_namespaced_pod(pod, "shop").status
    return next((s.state for s in st.ephemeral_container_statuses or () if s.name == name),
                None)


@pytest.fixture
def typed(monkeypatch):
    """The terminal the shell gets, in a Pilot test: keys typed from a pipe, what the
    shell prints kept in a file (the real bridge between them and the session)."""
    import kubetui.ui.terminal as terminal
    real = terminal.bridge
    seen = {"out": b"", "code": None}

    def keys(text: bytes):
        def bridge(session, stdin=None, stdout=None):
            r, w = os.pipe()
            os.write(w, text)
            with tempfile.TemporaryFile() as out, os.fdopen(r, "rb", buffering=0) as inp:
                try:
                    code = real(session, stdin=inp, stdout=out)
                finally:
                    os.close(w)
                out.seek(0)
                seen["out"], seen["code"] = out.read(), code
            return code
        monkeypatch.setattr(terminal, "bridge", bridge)
        return seen
    return keys


async def test_s_on_a_distroless_pod_offers_a_debug_container(make_app, api, typed, notes):
    pod = running_pod(api, "app=cart", fresh=True)  # hashicorp/http-echo: no shell
    assert ephemeral(api, pod) == []
    seen = typed(b"ps\rls /proc/1/root/etc\rexit 3\r")
    app = make_app()
    app.suspend = contextlib.nullcontext  # (Pilot has no terminal to give away)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question
        assert "The image has no shell (no shell in shop/" in question
        assert "busybox:1.36" in question and "targeting container cart" in question
        await pilot.press("y")
        assert await wait_for(pilot, lambda: seen["code"] is not None, tries=600)
        [ec] = ephemeral(api, pod)
        assert re.fullmatch(r"debugger-[bcdfghjklmnpqrstvwxz2456789]{5}", ec.name)
        assert (ec.image, ec.target_container_name, ec.stdin, ec.tty) == (
            "busybox:1.36", "cart", True, True)
        assert ec_state(api, pod, ec.name).running is not None
        out = seen["out"].decode()
        assert "    1 root      0:00 -listen=:8080 -text=cart service" in out  # its PID 1
        assert "resolv.conf" in out and "hostname" in out  # the target's /etc
        assert seen["code"] == 3
        assert await wait_for(pilot, lambda: notes.said(f"shell in {pod} ended (exit 3)"))
    assert notes.errors() == [], notes.errors()


async def test_the_checklist_offers_one_and_read_only_refuses(make_app, api, notes):
    pod = running_pod(api, "app=redis")
    before = ephemeral(api, pod)
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.evidence is not None)
        step5 = str(app.screen.query_one("#step-5").render())
        assert "e for an ephemeral debug container" in step5
        await pilot.press("e")
        assert await wait_for(pilot, lambda: notes.said("refusing to add a debug container"))
        assert not isinstance(app.screen, ConfirmScreen)
    assert ephemeral(api, pod) == before


async def test_the_checklist_adds_one_with_the_configured_image(make_app, api, typed, notes):
    pod = running_pod(api, "app=redis")
    seen = typed(b"cat /proc/1/root/etc/hostname\rexit\r")
    app = make_app(debug_image="alpine:3.20")
    app.suspend = contextlib.nullcontext
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "po", f"^{pod}$")
        await pilot.press("c")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen)
                              and app.screen.evidence is not None)
        await pilot.press("e")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await wait_for(pilot, lambda: seen["code"] is not None, tries=600)
    [ec] = [c for c in ephemeral(api, pod) if c.image == "alpine:3.20"]
    assert ec.target_container_name == "redis"
    assert pod in seen["out"].decode()
    assert notes.errors() == [], notes.errors()


def test_the_sim_validates_as_the_real_server(sim, api, kubectl):
    v1 = CoreV1Api(api)
    pod = running_pod(api, "app=frontend")
    kubectl("debug", "-n", "shop", pod, "--image=busybox:1.36", "--target=nginx",
            "-c", "debugger-kctl")
    wait_until(lambda: (ec_state(api, pod, "debugger-kctl") or {}) and
               ec_state(api, pod, "debugger-kctl").running is not None)
    [ec] = [c for c in ephemeral(api, pod) if c.name == "debugger-kctl"]
    assert ec.target_container_name == "nginx"
    changed = {"spec": {"ephemeralContainers": [
        {"name": "debugger-kctl", "image": "alpine:3.20", "targetContainerName": "nginx"}]}}
    with pytest.raises(ApiException) as err:
        v1.patch_namespaced_pod_ephemeralcontainers(pod, "shop", changed)
    assert err.value.status == 422
    import json
    body = json.loads(err.value.body)
    assert body["reason"] == "Invalid" and body["message"].startswith(
        f'Pod "{pod}" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
        'containers "debugger-kctl" may not be changed')
    assert body["details"]["causes"][0]["reason"] == "FieldValueForbidden"
    with pytest.raises(ApiException) as err:
        v1.patch_namespaced_pod_ephemeralcontainers("no-such-pod", "shop", changed)
    assert err.value.status == 404
    assert json.loads(err.value.body)["message"] == 'pods "no-such-pod" not found'
    bad = {"spec": {"ephemeralContainers": [{"name": "x", "targetContainerName": "nope"}]}}
    with pytest.raises(ApiException) as err:
        v1.patch_namespaced_pod_ephemeralcontainers(pod, "shop", bad)
    message = json.loads(err.value.body)["message"]
    assert "spec.ephemeralContainers[1].image: Required value" in message
    assert 'spec.ephemeralContainers[1].targetContainerName: Not found: "nope"' in message
    described = kubectl("describe", "pod", "-n", "shop", pod).stdout
    assert "Ephemeral Containers:" in described and "debugger-kctl:" in described


def test_kubectl_debug_it_attaches_to_the_debug_container(sim, api, kubeconfig,
                                                          kubectl_bin):
    """kubectl's own flow against the sim: PATCH ephemeralcontainers, wait, pods/attach;
    the shell sees the target's process as PID 1."""
    from conftest import PtyProcess
    pod = running_pod(api, "app=cart", fresh=True)
    env = {**os.environ, "KUBECONFIG": kubeconfig, "TERM": "xterm"}
    term = PtyProcess([kubectl_bin, "debug", "-it", "-n", "shop", pod, "--image=busybox:1.36",
                       "--target=cart", "-c", "debugger-pty"], env)
    try:
        assert term.read_until(b"/ # ", 40), term.seen[-600:]
        term.send(b"ps\r")
        assert term.read_until(b"1 root      0:00 -listen=:8080 -text=cart service"), \
            term.seen[-600:]
        term.send(b"exit 0\r")
        assert term.exit_code() == 0
    finally:
        term.close()
    assert any(c.name == "debugger-pty" and c.stdin and c.tty and c.target_container_name
               == "cart" for c in ephemeral(api, pod))
