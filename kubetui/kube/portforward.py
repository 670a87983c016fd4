"""Port-forward over the API server's websocket protocol (no kubectl needed): a listener
on 127.0.0.1 only, and for every local TCP connection its own websocket to
`pods/NAME/portforward?ports=N` through the official client's `portforward` helper
(subprotocol v4.channel.k8s.io; data channel 0, error channel 1, each opened by the
server with the port as 2 bytes little-endian). Real kubectl opens one SPDY stream pair
per connection; over websockets a connection is a websocket.

A connection the kubelet cannot make ends with the kubelet's words (the error channel);
a refused upgrade (an unreachable kubelet, a missing pod) with the API server's Status.
Both become the forward's `last_error`; the listener stays, as kubectl's does."""

from __future__ import annotations

import errno
import logging
import select
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from websocket import WebSocketException

from .client import ApiError, KubeClient
from .exec import upgrade_error

log = logging.getLogger("kubetui.kube")
HOST = "127.0.0.1"  # never another interface: a forward is for this machine only
CHUNK = 64 * 1024


class _Conn(Protocol):
    """One end of a forwarded connection: the local socket, or the helper's socket for
    the pod's port (a socket.socket behind a wrapper)."""

    def fileno(self) -> int: ...

    def recv(self, bufsize: int, /) -> bytes: ...

    def sendall(self, data: bytes, /) -> None: ...


class PortStream(Protocol):
    """What is used of the official client's PortForward (kubernetes.stream.ws_client,
    untyped): a port's connection, and what the server said on its error channel."""

    def socket(self, port_number: int) -> _Conn: ...

    def error(self, port_number: int) -> str | None: ...

    def close(self) -> None: ...


def free_port(preferred: int, tries: int = 200) -> int:
    """`preferred` if it can be bound on 127.0.0.1, else the next one that can (a port
    under 1024 needs privileges: the scan walks past them); else one the OS picks."""
    for port in range(max(1, preferred), min(65536, max(1, preferred) + tries)):
        if can_bind(port):
            return port
    with socket.socket() as s:
        s.bind((HOST, 0))
        picked: int = s.getsockname()[1]
        return picked


def can_bind(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def open_stream(client: KubeClient, namespace: str, pod: str, port: int) -> PortStream:
    """One websocket to the pod's port: the helper's PortForward (its socket(port) is the
    connection). ApiError with the server's words if the upgrade is refused."""
    # (the official client takes 0.3 s to import: here, when a forward connects)
    from kubernetes.client import CoreV1Api
    from kubernetes.client.exceptions import ApiException
    from kubernetes.stream import portforward

    def opened(api: Any) -> PortStream:  # (the untyped client's ApiClient)
        stream: PortStream = portforward(
            CoreV1Api(api).connect_get_namespaced_pod_portforward, pod, namespace,
            ports=str(port))
        return stream

    def error(exc: BaseException) -> ApiError | None:
        if isinstance(exc, ApiException):
            return upgrade_error(exc)
        if isinstance(exc, (WebSocketException, OSError)):
            return ApiError(500, "", f"cannot open the port-forward stream: {exc}")
        return None

    return client.open_with(opened, error)


@dataclass
class Forward:
    """One local port forwarded to a port of a pod (which a service or workload may
    change: `retarget`). Counters are read by the UI from its own thread."""
    client: KubeClient
    namespace: str
    pod: str
    remote_port: int
    local_port: int
    via: str = ""  # "svc/web", "deploy/api": what the user forwarded, if not the pod
    target_port: int | str | None = None  # a service's targetPort, resolved per pod
    bytes_in: int = 0  # from the pod to the local client
    bytes_out: int = 0  # from the local client to the pod
    active: int = 0
    total: int = 0
    state: str = "starting"  # listening, waiting (no ready pod), ended, stopped
    last_error: str = ""
    pod_uid: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _listener: socket.socket | None = field(default=None, repr=False)
    _conns: set[socket.socket] = field(default_factory=set, repr=False)

    @property
    def local(self) -> str:
        return f"{HOST}:{self.local_port}"

    @property
    def target(self) -> str:
        where = f"{self.namespace}/{self.pod}:{self.remote_port}"
        return f"{self.via} -> {where}" if self.via else where

    @property
    def live(self) -> bool:
        return self.state in ("listening", "waiting")

    def start(self) -> "Forward":
        """Bind 127.0.0.1:local_port and accept in a thread; OSError if it cannot bind."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, self.local_port))
        except OSError as exc:
            listener.close()
            why = "permission denied (ports under 1024 need privileges)" if \
                exc.errno == errno.EACCES else "already in use" if \
                exc.errno == errno.EADDRINUSE else exc.strerror
            raise OSError(exc.errno, f"cannot listen on {HOST}:{self.local_port}: "
                                     f"{why}") from exc
        listener.listen(64)
        self._listener, self.state = listener, "listening"
        threading.Thread(target=self._accept, name=f"pf-accept-{self.local_port}",
                         daemon=True).start()
        return self

    def retarget(self, pod: str, port: int, uid: str = "") -> None:
        """Later connections go to another pod (those open stay where they are)."""
        with self._lock:
            self.pod, self.remote_port, self.pod_uid = pod, port, uid
            if self.state == "waiting":
                self.state = "listening"

    def stop(self, state: str = "stopped", reason: str = "") -> None:
        """Close the listener and every connection through it."""
        with self._lock:
            if not self.live and self.state != "starting":
                return
            self.state = state
            if reason:
                self.last_error = reason
            listener, conns = self._listener, list(self._conns)
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept(self) -> None:
        listener = self._listener
        if listener is None:
            return
        while self.live:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            if not self.live or self.state == "waiting":
                if self.state == "waiting":
                    self.last_error = "no ready pod to forward to"
                conn.close()
                continue
            with self._lock:
                self.active += 1
                self.total += 1
                self._conns.add(conn)
                pod, port = self.pod, self.remote_port
            threading.Thread(target=self._serve, args=(conn, pod, port), daemon=True,
                             name=f"pf-conn-{self.local_port}").start()

    def _serve(self, conn: socket.socket, pod: str, port: int) -> None:
        stream = None
        try:
            stream = open_stream(self.client, self.namespace, pod, port)
            self._pump(conn, stream.socket(port))
            error = stream.error(port)
            if error:
                log.error("port-forward %s -> %s/%s:%s: %s", self.local, self.namespace,
                          pod, port, error)
                self.last_error = error
        except ApiError as exc:
            log.error("port-forward %s -> %s/%s:%s failed", self.local, self.namespace, pod,
                      port, exc_info=True)
            self.last_error = exc.message
        except Exception as exc:  # the boundary of the connection's thread
            log.exception("port-forward %s -> %s/%s:%s failed", self.local, self.namespace,
                          pod, port)
            self.last_error = f"{type(exc).__name__}: {exc}"
        finally:
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
            conn.close()
            with self._lock:
                self.active -= 1
                self._conns.discard(conn)

    def _pump(self, conn: socket.socket, remote: _Conn) -> None:
        """Copy both ways until either side ends."""
        pair: list[_Conn] = [conn, remote]
        while self.live:
            ready, _, _ = select.select(pair, [], [], 0.5)
            for sock in ready:
                try:
                    data = sock.recv(CHUNK)
                except OSError:
                    data = b""
                if not data:  # (the helper sets a port's error before it closes it)
                    return
                other = remote if sock is conn else conn
                try:
                    other.sendall(data)
                except OSError:
                    return
                with self._lock:
                    if sock is conn:
                        self.bytes_out += len(data)
                    else:
                        self.bytes_in += len(data)


__all__ = ["Forward", "HOST", "can_bind", "free_port", "open_stream"]
