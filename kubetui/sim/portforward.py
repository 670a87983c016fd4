"""`pods/{name}/portforward` over websocket, as the API server proxies it to the kubelet's
streaming server: subprotocol `v4.channel.k8s.io` (or the bare `channel.k8s.io`), the
ports in `?ports=80,6379`; per port a data channel 2k and an error channel 2k+1, and the
server's first frame on each carries the port, 2 bytes little-endian. One websocket is one
TCP connection into the pod's network namespace per port.

What answers inside the pod depends on its containers' images: an nginx-like image serves
a small HTTP page on its declared ports (80 if none), a redis-like one answers PING with
+PONG (6379 if none), and any other port gets the kubelet's own "connection refused" text
on the error channel (containerd's words). An unreachable kubelet (kubelet_link) fails the
upgrade as it does for exec over v4. kubectl's SPDY (and SPDY tunnelled in websocket) is
not spoken: the upgrade is refused with a 400 saying so (see the README's sim limits)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from typing import Any

from aiohttp import web

from .exec import ws_frames
from .kubelet_link import STALL_SECONDS, link_of
from .meta import ApiError, bad_request
from .resources import BY_KIND

log = logging.getLogger("kubetui.sim")
PODS = BY_KIND["Pod"]
PROTOCOLS = ("v4.channel.k8s.io", "channel.k8s.io")
POLL = 0.1  # how often a live forward looks whether its pod is still there


def sandbox_id(uid: str) -> str:
    """The pod sandbox's id, as containerd names it (64 hex digits), stable per pod."""
    return hashlib.sha256(f"sandbox:{uid}".encode()).hexdigest()


def refused_message(pod: dict, port: int) -> str:
    """The kubelet's (containerd's) words when nothing listens on the port in the pod."""
    uid = pod["metadata"].get("uid", "")
    sandbox = sandbox_id(uid)
    netns = f"/var/run/netns/cni-{uuid.UUID(hashlib.md5(uid.encode()).hexdigest())}"
    return (f"error forwarding port {port} to pod {sandbox}, uid : failed to execute "
            f'portforward in network namespace "{netns}": failed to connect to '
            f'localhost:{port} inside namespace "{sandbox}", IPv4: dial tcp4 '
            f"127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6: address "
            "localhost: no suitable address")


def listener(pod: dict, port: int) -> str | None:
    """What listens on `port` in the pod: "http", "redis" or None. Only a running
    container listens."""
    running = {s["name"] for s in (pod.get("status") or {}).get("containerStatuses") or ()
               if (s.get("state") or {}).get("running")}
    for c in (pod.get("spec") or {}).get("containers") or ():
        if c["name"] not in running:
            continue
        image = c.get("image", "").rsplit("/", 1)[-1]
        kind = "http" if "nginx" in image else "redis" if "redis" in image else None
        if kind is None:
            continue
        declared = [p.get("containerPort") for p in c.get("ports") or ()
                    if p.get("protocol", "TCP") == "TCP"]
        if port in (declared or [80 if kind == "http" else 6379]):
            return kind
    return None


def page(pod: dict) -> bytes:
    name = pod["metadata"]["name"]
    return (f"<!DOCTYPE html>\n<html>\n<head><title>Welcome to nginx!</title></head>\n"
            f"<body>\n<h1>Welcome to nginx!</h1>\n<p>Served by pod {name} "
            f"(kubetui's simulated cluster).</p>\n</body>\n</html>\n").encode()


def parse_ports(values: list[str]) -> list[int]:
    """`?ports=` as the kubelet reads it (PortForwardOptions.ports becomes `port`)."""
    if not values:
        raise bad_request('query parameter "port" is required')
    out: list[int] = []
    for value in values:
        if not value:
            raise bad_request('query parameter "port" cannot be empty')
        for p in value.split(","):
            try:
                port = int(p)
                if not 0 <= port < 65536:
                    raise ValueError
            except ValueError:
                raise bad_request(f'unable to parse "{value}" as a port: strconv.ParseUint: '
                                  f'parsing "{p}": invalid syntax') from None
            if port < 1:
                raise bad_request(f'port "{value}" must be > 0')
            out.append(port)
    return out


class PodPortForward:
    def __init__(self, sim):
        self.sim = sim
        sim.subresource_handlers[(PODS.key, "portforward")] = self.handle

    async def handle(self, request: web.Request, route) -> web.StreamResponse:
        if request.method not in ("GET", "POST"):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method "
                                                    "on the requested resource")
        pod = self.sim.store.must_get(PODS, route.namespace, route.name)
        if not (pod.get("spec") or {}).get("nodeName"):
            raise bad_request(f"pod {route.name} does not have a host assigned")
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol",
                                                            "").split(",") if p.strip()]
        if request.headers.get("Upgrade", "").lower() != "websocket" or (
                offered and not set(offered) & set(PROTOCOLS)):
            raise bad_request("Upgrade request required: the simulated cluster speaks "
                              "port-forward over websocket (v4.channel.k8s.io), not SPDY "
                              "(nor SPDY tunnelled in a websocket)")
        link = link_of(self.sim.store, pod)
        if not link.ok:  # the API server cannot dial the kubelet: the upgrade fails
            if link.state == "stalled":
                await asyncio.sleep(STALL_SECONDS)
            raise ApiError(500, "", f"error dialing backend: {link.dial_error()}")
        ports = parse_ports(request.query.getall("ports", []))
        ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True)
        await ws.prepare(request)
        try:
            await _Forward(self.sim, ws, pod, ports).run()
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            await ws.close()
        return ws


class _Forward:
    """One websocket: a connection per port into the pod, until the client closes, every
    port's connection ended, or the pod went away."""

    def __init__(self, sim, ws: web.WebSocketResponse, pod: dict, ports: list[int]):
        self.sim, self.ws, self.pod, self.ports = sim, ws, pod, ports
        self.inbox: list[asyncio.Queue[bytes | None]] = [
            asyncio.Queue() for _ in ports]  # bytes, or None at the end

    async def run(self) -> None:
        for i, port in enumerate(self.ports):
            prefix = port.to_bytes(2, "little")
            await self.ws.send_bytes(bytes([2 * i]) + prefix)
            await self.ws.send_bytes(bytes([2 * i + 1]) + prefix)
        conns = [asyncio.create_task(self.connection(i, port))
                 for i, port in enumerate(self.ports)]
        reader = asyncio.create_task(self.read())
        watcher = asyncio.create_task(self.watch_pod())
        try:
            everything: list[asyncio.Future[Any]] = [asyncio.gather(*conns), reader, watcher]
            done, _ = await asyncio.wait(everything,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*conns, reader, watcher):
                task.cancel()

    async def read(self) -> None:
        async for channel, payload in ws_frames(self.ws):
            if channel // 2 >= len(self.ports) or channel % 2:
                continue  # the client writes only on data channels
            if payload:
                await self.inbox[channel // 2].put(payload)
        for q in self.inbox:
            await q.put(None)

    async def watch_pod(self) -> None:
        """A deleted (or replaced) pod takes its connections with it."""
        meta = self.pod["metadata"]
        while True:
            await asyncio.sleep(POLL)
            now = self.sim.store.get(PODS, meta["namespace"], meta["name"])
            if now is None or now["metadata"].get("uid") != meta.get("uid"):
                return

    async def connection(self, i: int, port: int) -> None:
        kind = listener(self.pod, port)
        if kind is None:
            await self.ws.send_bytes(bytes([2 * i + 1]) +
                                     refused_message(self.pod, port).encode())
            return
        serve = self.http if kind == "http" else self.redis
        await serve(i, self.inbox[i])

    async def send(self, i: int, data: bytes) -> None:
        await self.ws.send_bytes(bytes([2 * i]) + data)

    async def http(self, i: int, inbox: asyncio.Queue) -> None:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = await inbox.get()
                if chunk is None:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split()
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length") or 0)
            while len(buf) < length:
                chunk = await inbox.get()
                if chunk is None:
                    return
                buf += chunk
            buf = buf[length:]
            version = parts[2] if len(parts) > 2 else "HTTP/1.0"
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            path = parts[1] if len(parts) > 1 else "/"
            if path in ("/", "/index.html"):
                status, body = "200 OK", page(self.pod)
            else:
                status, body = "404 Not Found", (
                    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3"
                    b"</center>\r\n</body>\r\n</html>\r\n")
            out = (f"HTTP/1.1 {status}\r\nServer: nginx/1.27.3\r\nContent-Type: text/html\r\n"
                   f"Content-Length: {len(body)}\r\n"
                   f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode()
            await self.send(i, out + (b"" if parts and parts[0] == "HEAD" else body))
            if close:
                return

    async def redis(self, i: int, inbox: asyncio.Queue) -> None:
        buf = b""
        while True:
            command, buf = _resp_command(buf)
            if command is None:
                chunk = await inbox.get()
                if chunk is None:
                    return
                buf += chunk
                continue
            if not command:
                continue
            name = command[0].upper()
            if name == "PING":
                await self.send(i, b"+PONG\r\n" if len(command) == 1 else
                                b"$%d\r\n%s\r\n" % (len(command[1]), command[1].encode()))
            elif name == "QUIT":
                await self.send(i, b"+OK\r\n")
                return
            else:
                args = " ".join(f"'{a}'" for a in command[1:])
                await self.send(i, f"-ERR unknown command '{command[0]}', with args "
                                   f"beginning with: {args}\r\n".encode())


def _resp_command(buf: bytes) -> tuple[list[str] | None, bytes]:
    """One command from a redis client's bytes (an inline line or a RESP array): the
    command and the rest, or None if it is not all there yet."""
    if buf.startswith(b"*"):
        lines = buf.split(b"\r\n")
        try:
            count = int(lines[0][1:])
        except ValueError:
            return [], b""
        if len(lines) < 1 + 2 * count + 1:
            return None, buf
        words = [lines[2 + 2 * k].decode("utf-8", "replace") for k in range(count)]
        return words, b"\r\n".join(lines[1 + 2 * count:])
    if b"\n" not in buf:
        return None, buf
    line, rest = buf.split(b"\n", 1)
    return line.decode("utf-8", "replace").strip().split(), rest


__all__ = ["PodPortForward", "listener", "refused_message", "sandbox_id"]
