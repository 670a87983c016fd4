"""`pods/{name}/exec` over websocket, as the kubelet's streaming server answers it:
subprotocols v5.channel.k8s.io and v4.channel.k8s.io; channel 0 stdin, 1 stdout,
2 stderr, 3 error (a Status), 4 resize; TEXT and BINARY frames; v5's stdin close frame;
tty sessions with an interactive prompt. Commands run in `shell.py` over a fake
filesystem built from the pod spec (hostname, resolv.conf, service account, ConfigMap
and Secret volumes, env with their references)."""

from __future__ import annotations

import asyncio
import base64
import logging

import orjson
from aiohttp import WSMsgType, web

from .ephemeral import debug_container
from .kubelet_link import STALL_SECONDS, KubeletLink, exec_message, link_of
from .meta import ApiError, bad_request
from .resources import BY_KIND
from .shell import CANNOT_EXEC, Container, Result, Shell, exec_failed

log = logging.getLogger("kubetui.sim")
PODS, CONFIGMAPS, SECRETS = BY_KIND["Pod"], BY_KIND["ConfigMap"], BY_KIND["Secret"]
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
NO_SHELL = ("coredns", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
            "kube-proxy", "distroless", "http-echo")


def shells_of(image: str) -> tuple[str, ...]:
    name = image.rsplit("/", 1)[-1]
    if any(n in image for n in NO_SHELL):
        return ()
    if "alpine" in name or "busybox" in name or "grafana" in name or "prometheus" in name:
        return ("sh", "ash")
    return ("sh", "bash")


def host_root(node: str) -> dict[str, str]:
    """A few files of a node's root filesystem, for a debug pod that mounts it."""
    return {
        "etc/hostname": node + "\n",
        "etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
        "var/lib/kubelet/config.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                                       "kind: KubeletConfiguration\ncgroupDriver: systemd\n"
                                       "clusterDNS:\n- 10.96.0.10\n",
        "etc/kubernetes/kubelet.conf": "apiVersion: v1\nkind: Config\n(simulated)\n",
        "var/log/kubelet.log": f"I1126 08:00:00.000000 1 server.go:484] \"Kubelet version\" "
                               f"kubeletVersion=\"v1.36.2\" node=\"{node}\"\n",
        "etc/containerd/config.toml": "version = 2\n",
    }


def success() -> dict:
    return {"metadata": {}, "status": "Success"}


def exit_status(code: int) -> dict:
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[...], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


async def ws_frames(ws):
    """(channel, payload) of each frame a channel.k8s.io client sends (binary, or text in
    the base protocols), until it closes: exec's and port-forward's one reader."""
    async for msg in ws:
        if msg.type == WSMsgType.BINARY:
            data = msg.data
        elif msg.type == WSMsgType.TEXT:
            data = msg.data.encode()
        else:
            break
        if data:
            yield data[0], data[1:]


class PodExec:
    def __init__(self, sim):
        self.sim = sim
        sim.subresource_handlers[(PODS.key, "exec")] = self.handle
        sim.subresource_handlers[(PODS.key, "attach")] = self.attach

    # -- the container as a shell sees it
    def container(self, pod: dict, name: str) -> Container:
        ec = next((x for x in pod["spec"].get("ephemeralContainers") or ()
                   if x["name"] == name), None)
        if ec is not None:  # a debug container: over its target's filesystem and processes
            target = ec.get("targetContainerName")
            return debug_container(pod, ec, self.container(pod, target) if target else None,
                                   shells_of(ec["image"]))
        store = self.sim.store
        meta, spec = pod["metadata"], pod["spec"]
        ns = meta["namespace"]
        c = next(x for x in spec["containers"] if x["name"] == name)
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOSTNAME": meta["name"], "HOME": "/root",
               "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
               "KUBERNETES_PORT": "tcp://10.96.0.1:443"}

        def data_of(res, ref_name: str) -> dict[str, str]:
            obj = store.get(res, ns, ref_name) or {}
            if res is SECRETS:
                return {k: base64.b64decode(v).decode("utf-8", "replace")
                        for k, v in (obj.get("data") or {}).items()}
            return dict(obj.get("data") or {})

        for src in c.get("envFrom") or ():
            if "configMapRef" in src:
                env.update(data_of(CONFIGMAPS, src["configMapRef"]["name"]))
            elif "secretRef" in src:
                env.update(data_of(SECRETS, src["secretRef"]["name"]))
        for e in c.get("env") or ():
            env[e["name"]] = self._env_value(e, pod, data_of)
        files = {
            "/etc/hostname": meta["name"] + "\n",
            "/etc/hosts": f"127.0.0.1\tlocalhost\n{pod.get('status', {}).get('podIP', '')}\t"
                          f"{meta['name']}\n",
            "/etc/resolv.conf": f"search {ns}.svc.cluster.local svc.cluster.local "
                                "cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace": ns,
            "/var/run/secrets/kubernetes.io/serviceaccount/token": "eyJhbGciOiJSUzI1NiJ9.sim",
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": "-----BEGIN CERTIFICATE---"
                                                                    "--\n(simulated)\n",
        }
        volumes = {v["name"]: v for v in spec.get("volumes") or ()}
        for m in c.get("volumeMounts") or ():
            v = volumes.get(m["name"], {})
            if "configMap" in v:
                data = data_of(CONFIGMAPS, v["configMap"]["name"])
            elif "secret" in v:
                data = data_of(SECRETS, v["secret"]["secretName"])
            elif (v.get("hostPath") or {}).get("path") == "/":  # a node debug pod's /host
                data = host_root(spec.get("nodeName") or "")
            else:
                files[m["mountPath"].rstrip("/") + "/.keep"] = ""
                continue
            for key, value in data.items():
                files[f"{m['mountPath'].rstrip('/')}/{key}"] = value
        command = " ".join([*(c.get("command") or ()), *(c.get("args") or ())]) or \
            c["image"].rsplit("/", 1)[-1].split(":")[0]
        return Container(meta["name"], env, files, command, shells_of(c["image"]))

    @staticmethod
    def _env_value(e: dict, pod: dict, data_of) -> str:
        if "value" in e:
            return str(e["value"])
        ref = e.get("valueFrom") or {}
        if "configMapKeyRef" in ref:
            return data_of(CONFIGMAPS, ref["configMapKeyRef"]["name"]).get(
                ref["configMapKeyRef"]["key"], "")
        if "secretKeyRef" in ref:
            return data_of(SECRETS, ref["secretKeyRef"]["name"]).get(
                ref["secretKeyRef"]["key"], "")
        if "fieldRef" in ref:
            path = ref["fieldRef"].get("fieldPath", "")
            return {"metadata.name": pod["metadata"]["name"],
                    "metadata.namespace": pod["metadata"]["namespace"],
                    "status.podIP": (pod.get("status") or {}).get("podIP", ""),
                    "spec.nodeName": pod["spec"].get("nodeName", "")}.get(path, "")
        return ""

    # -- the websocket
    def _target(self, request: web.Request, route,
                need_command: bool = True) -> tuple[dict, str, list[str]]:
        q = request.query
        pod = self.sim.store.must_get(PODS, route.namespace, route.name)
        names = [c["name"] for c in pod["spec"]["containers"]]
        debuggers = [c["name"] for c in pod["spec"].get("ephemeralContainers") or ()]
        name = q.get("container") or (names[0] if len(names) == 1 else "")
        if not name:
            raise bad_request(f"a container name must be specified for pod {route.name}, "
                              f"choose one of: [{' '.join(names)}]")
        if name not in names + debuggers:
            raise bad_request(f"container {name} is not valid for pod {route.name}")
        st = pod.get("status") or {}
        cs: dict = next((s for s in [*(st.get("containerStatuses") or ()),
                               *(st.get("ephemeralContainerStatuses") or ())]
                   if s["name"] == name), {})
        if not (cs.get("state") or {}).get("running"):
            raise bad_request(f"container {name} is not running in pod {route.name}"
                              if cs else f"pod {route.name} does not have a host assigned")
        command = q.getall("command", [])
        if not command and need_command:
            raise bad_request("you must specify at least 1 command")
        return pod, name, command

    async def handle(self, request: web.Request, route) -> web.StreamResponse:
        if request.method not in ("GET", "POST"):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method "
                                                    "on the requested resource")
        pod, name, command = self._target(request, route)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise bad_request("Upgrade request required: the simulated cluster speaks "
                              "websocket exec (v5/v4.channel.k8s.io), not SPDY")
        q = request.query
        truthy = ("true", "1")
        tty, want_stdin = q.get("tty") in truthy, q.get("stdin") in truthy
        link = link_of(self.sim.store, pod)
        if not link.ok:
            return await self._unreachable(request, link, pod, name, command, want_stdin, tty)
        ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True)
        await ws.prepare(request)
        await ready(ws, q)
        session = _Session(ws, Shell(self.container(pod, name)), tty)
        try:
            await session.run(command, want_stdin)
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            await ws.close()
        return ws


    async def attach(self, request: web.Request, route) -> web.StreamResponse:
        """`pods/attach`: the container's own process. The sim can attach only to a shell
        started with stdin and tty (a debug container, `kubectl run -it`): kubectl debug
        -it attaches to the debug container so."""
        if request.method not in ("GET", "POST"):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method "
                                                    "on the requested resource")
        pod, name, _ = self._target(request, route, need_command=False)
        spec = next(c for c in [*pod["spec"]["containers"],
                                *(pod["spec"].get("ephemeralContainers") or ())]
                    if c["name"] == name)
        shells = shells_of(spec["image"])
        own = [*(spec.get("command") or ()), *(spec.get("args") or ())]
        shell = own[0].rsplit("/", 1)[-1] if own else (shells[0] if shells else "")
        if not (spec.get("stdin") and spec.get("tty")) or shell not in shells:
            raise bad_request(f"container {name} in pod {route.name} runs no interactive "
                              "shell: the simulated cluster attaches only to a shell started "
                              "with stdin and tty (a debug container, kubectl run -it)")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise bad_request("Upgrade request required: the simulated cluster speaks "
                              "websocket attach (v5/v4.channel.k8s.io), not SPDY")
        link = link_of(self.sim.store, pod)
        if not link.ok:
            if link.state == "stalled":
                await asyncio.sleep(STALL_SECONDS)
            raise ApiError(500, "", f"error dialing backend: {link.dial_error()}")
        ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True)
        await ws.prepare(request)
        await ready(ws, request.query)
        session = _Session(ws, Shell(self.container(pod, name)), True)
        try:
            await session.prompt_loop(shell)
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            await ws.close()
        return ws

    async def _unreachable(self, request: web.Request, link: KubeletLink, pod: dict,
                           container: str, command: list[str], stdin: bool,
                           tty: bool) -> web.StreamResponse:
        """What the API server answers when it cannot reach the pod's kubelet (see
        kubelet_link): v5 upgrades and then reports on the error channel; v4 fails the
        upgrade; a stalled kubelet leaves a v5 stream silent."""
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol",
                                                            "").split(",")]
        if "v5.channel.k8s.io" not in offered:
            if link.state == "stalled":  # the real server gave up after 100 s unanswered
                await asyncio.sleep(STALL_SECONDS)
            raise ApiError(500, "", f"error dialing backend: {link.dial_error()}")
        ws = web.WebSocketResponse(protocols=("v5.channel.k8s.io",), autoping=True)
        await ws.prepare(request)
        await ws.send_bytes(bytes([STDOUT]))
        if link.state == "stalled":
            try:  # nothing ever comes back; the real stream died after 100 s unanswered
                async with asyncio.timeout(100):
                    async for _ in ws:
                        pass
            except TimeoutError:
                await ws.close()
            return ws
        meta = pod["metadata"]
        message = exec_message(link, meta["namespace"], meta["name"], container, command,
                               stdin, tty)
        status = {"metadata": {}, "status": "Failure",
                  "message": f"Internal error occurred: {message}", "reason": "InternalError",
                  "details": {"causes": [{"message": message}]}, "code": 500}
        await ws.send_bytes(bytes([ERROR]) + orjson.dumps(status))
        await ws.close()
        return ws


async def ready(ws: web.WebSocketResponse, query) -> None:
    """What the real server sends first (remotecommand's createWebSocketStreams): an
    empty frame on the lowest channel it writes, saying the streams are set up (the
    captured v5 exec starts so)."""
    truthy = ("true", "1")
    first = STDOUT if query.get("stdout") in truthy else \
        STDERR if query.get("stderr") in truthy else ERROR
    await ws.send_bytes(bytes([first]))


class _Session:
    def __init__(self, ws: web.WebSocketResponse, shell: Shell, tty: bool):
        self.ws, self.shell, self.tty = ws, shell, tty
        self.v5 = ws.ws_protocol == "v5.channel.k8s.io"

    async def send(self, channel: int, text: str) -> None:
        if not text:
            return
        if self.tty:
            channel = STDOUT
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        await self.ws.send_bytes(bytes([channel]) + text.encode())

    async def finish(self, code: int) -> None:
        status = success() if code == 0 else exit_status(code)
        await self.ws.send_bytes(bytes([ERROR]) + orjson.dumps(status))

    def frames(self):
        """(channel, bytes) from the client until it closes."""
        return ws_frames(self.ws)

    async def read_stdin(self) -> str:
        chunks = []
        async for channel, data in self.frames():
            if channel == STDIN:
                chunks.append(data)
            elif channel == CLOSE:
                break
        return b"".join(chunks).decode("utf-8", "replace")

    async def run(self, command: list[str], want_stdin: bool) -> None:
        interactive = len(command) == 1 and command[0].rsplit("/", 1)[-1] in ("sh", "bash",
                                                                              "ash")
        if interactive and command[0].rsplit("/", 1)[-1] not in self.shell.c.shells:
            await self.send(STDERR, exec_failed(command[0]))
            await self.finish(CANNOT_EXEC)
            return
        if interactive and self.tty:
            await self.prompt_loop(command[0].rsplit("/", 1)[-1])
            return
        stdin = await self.read_stdin() if want_stdin else ""
        result: Result = self.shell.run(command, stdin)
        await self.send(STDOUT, result.out)
        await self.send(STDERR, result.err)
        await self.finish(result.code)

    async def prompt_loop(self, shell_name: str) -> None:
        """An interactive tty shell: echo keys, edit the line, run it on Enter."""
        sh = Shell(self.shell.c, shell_name)
        prompt = (f"root@{sh.c.hostname}:{{cwd}}# " if shell_name == "bash" else "{cwd} # ")
        await self.send(STDOUT, prompt.format(cwd=sh.c.cwd))
        line = ""
        async for channel, data in self.frames():
            if channel == CLOSE:
                break
            if channel != STDIN:
                continue  # resize and friends: the sim's shell draws no full screen
            for ch in data.decode("utf-8", "replace"):
                if ch in "\r\n":
                    await self.send(STDOUT, "\n")
                    result = sh.run_line(line)
                    await self.send(STDOUT, result.out + result.err)
                    line = ""
                    if result.exited:
                        await self.finish(result.code)
                        return
                    await self.send(STDOUT, prompt.format(cwd=sh.c.cwd))
                elif ch == "\x04" and not line:  # ctrl-d on an empty line
                    await self.send(STDOUT, "exit\n")
                    await self.finish(sh.status)
                    return
                elif ch == "\x03":  # ctrl-c
                    line = ""
                    await self.send(STDOUT, "^C\n" + prompt.format(cwd=sh.c.cwd))
                elif ch in ("\x7f", "\x08"):
                    if line:
                        line = line[:-1]
                        await self.send(STDOUT, "\b \b")
                elif ch >= " " or ch == "\t":
                    line += ch
                    await self.send(STDOUT, ch)
        await self.finish(sh.status)
