"""`SimCluster`: the simulated cluster as a running thing. It owns an event loop in its
own thread, the store, the controllers and the HTTP server on loopback."""

from __future__ import annotations

import asyncio
import base64
import errno
import logging
import os
import secrets
import threading
import time
from typing import Any, Callable

import yaml
from aiohttp import web

from . import scenario as scenario_mod
from .apiserver import ApiCore
from .auth import UNAUTHORIZED, USER, Authenticator
from .bulk import Bulk
from .crds import CrdController
from .daemonset import DaemonSetController
from .deployment import DeploymentController
from .disruption import DisruptionController
from .endpoints import EndpointsController
from .ephemeral import EphemeralContainers
from .events import Recorder
from .exec import PodExec
from .faults import Faults
from .hpa import HpaController
from .http import HttpFrontend
from .jobs import CronJobController, JobController
from .json_body import json_response
from .kubelet import Kubelet
from .leases import NodeLeases
from .logs import PodLogs
from .meta import ApiError
from .metrics import Metrics
from .namespaces import NamespaceBootstrap
from .nodes import NodeAgent
from .portforward import PodPortForward
from .rbac import AccessReviews, Authorizer
from .rbac import bootstrap as rbac_bootstrap
from .replicaset import ReplicaSetController
from .resources import BY_KIND, Resource
from .scheduler import Scheduler
from .statefulset import StatefulSetController
from .store import Store
from .tls import make_certificates, server_context
from .volumes import VolumeBinder

log = logging.getLogger("kubetui.sim")

BASE_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class SimCluster:
    """A simulated Kubernetes cluster serving the REST API on 127.0.0.1.

    speed > 1 makes the kubelet and controllers' timings (not timeouts) faster."""

    def __init__(self, scenario: str | None = "demo", *, port: int = 0, host: str = "127.0.0.1",
                 speed: float = 1.0, seed: int | None = None, log_limit: int = 50_000,
                 name: str = "kubetui-demo", tls: bool = False):
        self.scenario = scenario
        self.host = host
        self.port = port
        self.name = name
        self.time_scale = 1.0 / speed
        self.seed = seed
        self.request_hooks: list[Callable] = []
        self.subresource_handlers: dict[tuple[str, str], Callable] = {}
        self.virtual_handlers: dict[str, Callable] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.store = Store(log_limit=log_limit)
        self.api = ApiCore(self.store, self.defer)
        self.recorder = Recorder(self.store, self.api)
        self.http = HttpFrontend(self)
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._stopped = threading.Event()
        self.tls = tls
        self.ca_pem: bytes | None = None
        self._ssl: Any = None  # an ssl.SSLContext when serving TLS
        self.auth = Authenticator(anonymous_is_admin=not tls)
        self.authorizer = Authorizer(self.store)
        self.reviews = AccessReviews(self)
        self.request_hooks.append(self._authenticate)
        self.faults = Faults(self)
        self.logs = PodLogs(self)
        self.exec = PodExec(self)
        self.portforward = PodPortForward(self)
        self.ephemeral = EphemeralContainers(self)
        self.metrics = Metrics(self)
        self.bulk = Bulk(self)
        self._kubeconfigs: list[tuple[str, str | None]] = []

    # ----------------------------------------------------------- scheduling
    def defer(self, fn: Callable[[], Any], delay: float = 0.0) -> None:
        """Run fn on the sim's loop after `delay` real seconds (loop thread only)."""

        def run():
            try:
                fn()
            except ApiError as exc:
                log.debug("sim: deferred call: %s", exc.message)
            except Exception:
                log.exception("sim: deferred call failed")

        assert self.loop is not None
        if delay <= 0:
            self.loop.call_soon(run)
        else:
            self.loop.call_later(delay, run)

    def after(self, sim_seconds: float, fn: Callable[[], Any]) -> None:
        """Run fn after `sim_seconds` of simulated time (scaled by speed)."""
        self.defer(fn, sim_seconds * self.time_scale)

    def call(self, fn: Callable[..., Any], *args, timeout: float = 30.0) -> Any:
        """Run fn(*args) on the sim's loop from any thread and return its result."""
        if self.loop is None:
            raise RuntimeError("the simulated cluster is not running")
        if threading.current_thread() is self._thread:
            return fn(*args)

        async def run():
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> "SimCluster":
        self._thread = threading.Thread(target=self._run, name="kubetui-sim", daemon=True)
        self._thread.start()
        self._ready.wait(60)
        if self._error is not None:
            raise self._error
        return self

    def __enter__(self) -> "SimCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._startup())
        except BaseException as exc:  # noqa: BLE001 - thread body: reported to start()'s caller
            self._error = exc
            self._ready.set()
            self.loop.close()
            return
        self._ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self._cleanup())
            self.loop.close()
            self._stopped.set()

    async def _startup(self) -> None:
        self.controllers = [
            NodeAgent(self), NodeLeases(self), NamespaceBootstrap(self.api),
            ReplicaSetController(self),
            DeploymentController(self), StatefulSetController(self), DaemonSetController(self),
            JobController(self), CronJobController(self), EndpointsController(self),
            VolumeBinder(self), HpaController(self), CrdController(self),
            DisruptionController(self), Scheduler(self),
            Kubelet(self),
        ]
        self._bootstrap()
        if self.scenario:
            scenario_mod.load(self.api, self.scenario, later=self.after)
        self._runner = web.AppRunner(self.http.app(), handle_signals=False,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        try:
            await self.open_listener()
        except OSError:
            await self._runner.cleanup()
            raise

    async def open_listener(self) -> None:
        """Listen on host:port (the port chosen at the first start is kept)."""
        assert self._runner is not None
        if self.tls and self._ssl is None:
            self.ca_pem, cert, key = make_certificates(self.host)
            self._ssl = server_context(cert, key)
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True,
                           ssl_context=self._ssl)
        try:
            await site.start()
        except OSError as exc:
            why = ("the port is already in use" if exc.errno == errno.EADDRINUSE
                   else exc.strerror)
            raise OSError(exc.errno, f"cannot listen on {self.host}:{self.port}: {why}") from exc
        self._site = site
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.http.server_address = f"{self.host}:{self.port}"

    async def close_listener(self) -> None:
        """Stop listening and cut every open connection (the 'down' fault)."""
        self.store.drop_watches()
        if self._site is not None:
            await self._site.stop()
            self._site = None
        server = self._runner.server if self._runner is not None else None
        for transport in list(getattr(server, "_connections", {}).values()):
            transport.abort()

    async def _authenticate(self, request: web.Request):
        user = self.auth.user_for(request.headers.get("Authorization"))
        if user is None:
            return json_response(UNAUTHORIZED, 401)
        request[USER] = user
        return None

    def _bootstrap(self) -> None:
        for ns in BASE_NAMESPACES:
            self.api.create(BY_KIND["Namespace"], None, {"metadata": {"name": ns}})
        rbac_bootstrap(self.api)
        self.api.create(BY_KIND["Service"], "default", {
            "metadata": {"name": "kubernetes", "labels": {
                "component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [
                {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
        })

    async def _cleanup(self) -> None:
        self.store.drop_watches()
        await asyncio.sleep(0)
        if self._runner is not None:
            try:
                await self._runner.cleanup()
            except RuntimeError:  # a site already stopped by the 'down' fault
                pass

    def stop(self) -> None:
        if self.loop is None or self._thread is None or not self._thread.is_alive():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def wait(self) -> None:
        """Block until stopped (for `kubetui sim`)."""
        while not self._stopped.wait(0.5):
            pass

    # ------------------------------------------------------------- clients
    def add_user(self, name: str, groups: tuple[str, ...] = ()) -> str:
        """A bearer token for a (non-admin) user; RBAC bindings say what it may do."""
        token = f"kubetui-sim-{name}-{secrets.token_hex(6)}"
        self.auth.add(token, name, groups)
        return token

    def kubeconfig(self, context: str | None = None, token: str | None = None,
                   user: str | None = None, namespace: str | None = None) -> dict:
        context = context or self.name
        token = token or self.auth.admin_token
        user = user or f"{context}-admin"
        cluster: dict = {"server": self.url}
        if self.ca_pem:
            cluster["certificate-authority-data"] = base64.b64encode(self.ca_pem).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": context, "context": {
                "cluster": context, "user": user, **({"namespace": namespace} if namespace
                                                     else {})}}],
            "current-context": context,
            "preferences": {},
        }

    def write_kubeconfig(self, path: str, context: str | None = None,
                         user: str | None = None, namespace: str | None = None) -> str:
        """Write a kubeconfig for this cluster, readable by its owner only (0600): the
        admin's, or with `user` a new token for that user (RBAC decides its rights)."""
        if user is not None:
            token = self.add_user(user)
            doc = self.kubeconfig(context, token=token, user=user, namespace=namespace)
        else:
            doc = self.kubeconfig(context, namespace=namespace)
        data = yaml.safe_dump(doc, sort_keys=False).encode()
        tmp = f"{path}.tmp-{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # readers never see a half-written file
        if user is None and (path, context) not in self._kubeconfigs:
            self._kubeconfigs.append((path, context))
        return path

    def rotate_admin_token(self) -> str:
        """A new admin token (the old one gets 401); rewrite the kubeconfigs written."""
        token = self.auth.rotate_admin()
        for path, context in self._kubeconfigs:
            if os.path.exists(path):
                self.write_kubeconfig(path, context)
        return token

    # ----------------------------------------- conveniences for tests and tools
    # the control plane's own processes, by the name componentstatuses and kubectl use
    COMPONENTS = {"kube-scheduler": ("Scheduler",),
                  "kube-controller-manager": (
                      "ReplicaSetController", "DeploymentController", "StatefulSetController",
                      "DaemonSetController", "JobController", "CronJobController",
                      "EndpointsController", "VolumeBinder", "HpaController",
                      "DisruptionController")}

    def set_component(self, name: str, running: bool) -> None:
        """Stop or start kube-scheduler or kube-controller-manager: while one is down its
        work waits (pods stay unscheduled, with no event), and componentstatuses say
        Unhealthy with the connection error a real API server reports."""
        kinds = self.COMPONENTS[name]

        def apply():
            for c in self.controllers:
                if type(c).__name__ in kinds:
                    c.set_running(running)
        self.call(apply)

    def component_running(self, name: str) -> bool:
        kinds = self.COMPONENTS[name]
        return all(getattr(c, "running", True) for c in self.controllers
                   if type(c).__name__ in kinds)

    def resource(self, kind: str) -> Resource:
        return BY_KIND[kind]

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        return self.call(self.store.get, BY_KIND[kind], namespace, name)

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        return self.call(self.store.list, BY_KIND[kind], namespace)

    def create(self, kind: str, namespace: str | None, obj: dict) -> dict:
        return self.call(self.api.create, BY_KIND[kind], namespace, obj)

    def delete(self, kind: str, namespace: str | None, name: str, **options) -> dict:
        return self.call(self.api.delete, BY_KIND[kind], namespace, name, options)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0,
                 interval: float = 0.05) -> Any:
        """Poll predicate (called on the caller's thread) until it is truthy."""
        end = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > end:
                raise TimeoutError("the simulated cluster did not reach the expected state")
            time.sleep(interval)
