"""Container logs: every run of every container keeps its lines (computed lazily from a
profile), and `GET pods/{name}/log` serves them as the kubelet does: `container`,
`follow`, `previous`, `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`,
`limitBytes`, with the real server's error messages."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from aiohttp import web

from .kubelet_link import STALL_SECONDS, link_of, logs_message
from .logprofiles import Profile, last_words, profile_for
from .meta import ApiError, bad_request
from .resources import BY_KIND

PODS = BY_KIND["Pod"]
KEEP = 10_000  # periodic lines a run keeps (the kubelet rotates container logs too)


def rfc3339_nano(t: float) -> str:
    whole = int(t)
    nanos = int(round((t - whole) * 1e9))
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    return datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + \
        f".{nanos:09d}Z"


def parse_time(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise bad_request(f"sinceTime: Invalid value: {text!r}") from exc


@dataclass
class Run:
    """One run of a container, from start to exit."""
    started: float
    profile: Profile
    interval: float
    seed: int
    ended: float | None = None
    tail: list[str] = field(default_factory=list)
    extra: list[tuple[float, str]] = field(default_factory=list)

    def _periodic(self, now: float) -> range:
        end = now if self.ended is None else min(now, self.ended)
        n = int((end - self.started) / self.interval) if end > self.started else 0
        return range(max(1, n - KEEP + 1), n + 1)

    def lines(self, now: float) -> list[tuple[float, str]]:
        out = [(self.started + i * 1e-4, text) for i, text in enumerate(self.profile.head)]
        for k in self._periodic(now):
            t = self.started + k * self.interval
            out.append((t, self.profile.line(k, t, random.Random(self.seed * 1_000_003 + k))))
        out.extend(e for e in self.extra if e[0] <= now)
        if self.ended is not None and self.ended <= now:
            out.extend((self.ended + i * 1e-4, text) for i, text in enumerate(self.tail))
        out.sort(key=lambda e: e[0])
        return out

    def next_line_at(self, now: float) -> float:
        k = int((now - self.started) / self.interval) + 1
        return self.started + k * self.interval


@dataclass
class ContainerLog:
    uid: str
    runs: list[Run] = field(default_factory=list)


class PodLogs:
    """The logs of every container the sim's kubelets have started."""

    def __init__(self, sim):
        self.sim = sim
        self._logs: dict[tuple[str, str, str], ContainerLog] = {}
        self._rng = random.Random(sim.seed)
        sim.subresource_handlers[(PODS.key, "log")] = self.handle

    # -- written by the kubelet
    def start(self, pod: dict, container: dict, rate: float | None = None) -> None:
        meta = pod["metadata"]
        key = (meta["namespace"], meta["name"], container["name"])
        log = self._logs.get(key)
        if log is None or log.uid != meta["uid"]:
            log = self._logs[key] = ContainerLog(meta["uid"])
        profile = profile_for(container.get("image", ""),
                              [*(container.get("command") or ()), *(container.get("args") or ())])
        interval = 1.0 / rate if rate else profile.interval
        log.runs.append(Run(time.time(), profile, interval, self._rng.getrandbits(32)))
        del log.runs[:-2]  # the kubelet keeps the current and the previous container

    def end(self, pod: dict, container: str, exit_code: int, reason: str) -> None:
        run = self._run(pod, container)
        if run is not None and run.ended is None:
            run.ended = time.time()
            run.tail = last_words(exit_code, reason, run.ended)

    def write(self, pod: dict, container: str, text: str) -> None:
        """An extra line, as if the process printed it now."""
        run = self._run(pod, container)
        if run is not None:
            run.extra.append((time.time(), text))

    def forget(self, namespace: str, name: str) -> None:
        for key in [k for k in self._logs if k[:2] == (namespace, name)]:
            del self._logs[key]

    def _run(self, pod: dict, container: str) -> Run | None:
        meta = pod["metadata"]
        log = self._logs.get((meta["namespace"], meta["name"], container))
        return log.runs[-1] if log and log.uid == meta["uid"] and log.runs else None

    # -- read by GET pods/{name}/log
    @staticmethod
    def container_of(pod: dict, container: str | None) -> str:
        """The container a log request names (the API server checks it, not the kubelet)."""
        meta, spec = pod["metadata"], pod["spec"]
        names = [c["name"] for c in spec.get("containers") or ()]
        inits = [c["name"] for c in spec.get("initContainers") or ()]
        name = meta["name"]
        if not container:
            if len(names) != 1:
                extra = f" or one of the init containers: [{' '.join(inits)}]" if inits else ""
                raise bad_request(f"a container name must be specified for pod {name}, "
                                  f"choose one of: [{' '.join(names)}]{extra}")
            container = names[0]
        if container not in names and container not in inits:
            raise bad_request(f"container {container} is not valid for pod {name}")
        return container

    def pick(self, pod: dict, container: str | None, previous: bool) -> Run:
        meta = pod["metadata"]
        name = meta["name"]
        container = self.container_of(pod, container)
        log = self._logs.get((meta["namespace"], name, container))
        runs = log.runs if log and log.uid == meta["uid"] else []
        if previous:
            # While a crashed container waits to restart, its run is the previous one.
            ended = runs[-1:] if runs and runs[-1].ended is not None else runs[-2:-1]
            if not ended:
                raise bad_request(f'previous terminated container "{container}" in pod '
                                  f'"{name}" not found')
            return ended[0]
        if not runs:
            raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                              f"{_waiting_reason(pod, container)}")
        return runs[-1]

    async def handle(self, request: web.Request, route) -> web.StreamResponse:
        if request.method != "GET":
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        q = request.query
        pod = self.sim.store.must_get(PODS, route.namespace, route.name)
        truthy = ("true", "1")
        container = self.container_of(pod, q.get("container"))
        if not pod["spec"].get("nodeName"):  # no kubelet to ask: the real server's 204
            return web.Response(status=204)
        link = link_of(self.sim.store, pod)
        if not link.ok:
            if link.state == "stalled":
                await asyncio.sleep(STALL_SECONDS)
            raise ApiError(500, "", logs_message(link, route.namespace, route.name, container,
                                                 [kv for kv in q.items()
                                                  if kv[0] != "container"]))
        run = self.pick(pod, container, q.get("previous") in truthy)
        stamps = q.get("timestamps") in truthy
        since = None
        if q.get("sinceSeconds"):
            since = time.time() - _positive(q, "sinceSeconds")
        elif q.get("sinceTime"):
            since = parse_time(q["sinceTime"])
        tail = _positive(q, "tailLines") if q.get("tailLines") not in (None, "") else None
        limit = _positive(q, "limitBytes") if q.get("limitBytes") else None

        now = time.time()
        lines = [e for e in run.lines(now) if since is None or e[0] >= since]
        if tail is not None:
            lines = lines[-tail:] if tail else []
        resp = web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        budget = [limit]

        async def send(entries) -> bool:
            data = b"".join(((rfc3339_nano(t) + " ") if stamps else "").encode()
                            + text.encode() + b"\n" for t, text in entries)
            if budget[0] is not None:
                data = data[:budget[0]]
                budget[0] -= len(data)
            if data:
                await resp.write(data)
            return budget[0] is None or budget[0] > 0

        try:
            more = await send(lines)
            if q.get("follow") in truthy and more:
                await self._follow(request, pod, run, now, send)
        except (ConnectionResetError, ConnectionError):
            pass  # the client went away (or the 'down' fault cut it)
        return resp

    async def _follow(self, request, pod, run: Run, sent_until: float, send) -> None:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        uid = pod["metadata"]["uid"]
        while not request.transport or not request.transport.is_closing():
            wait = min(max(run.next_line_at(time.time()) - time.time(), 0.02), 0.5)
            await asyncio.sleep(wait)
            now = time.time()
            fresh = [e for e in run.lines(now) if e[0] > sent_until]
            sent_until = now
            if fresh and not await send(fresh):
                return
            current = self.sim.store.get(PODS, *key)
            if run.ended is not None or current is None or current["metadata"]["uid"] != uid:
                return


def _positive(q, key: str) -> int:
    try:
        value = int(q[key])
    except ValueError as exc:
        raise bad_request(f"{key}: Invalid value: {q[key]!r}: must be an integer") from exc
    if value < 0:
        raise ApiError(422, "Invalid", f"PodLogOptions \"\" is invalid: {key}: Invalid value: "
                                       f"{value}: must be greater than or equal to 0")
    return value


def _waiting_reason(pod: dict, container: str) -> str:
    for cs in (pod.get("status") or {}).get("containerStatuses") or ():
        if cs.get("name") == container:
            waiting = (cs.get("state") or {}).get("waiting") or {}
            reason = waiting.get("reason") or "ContainerCreating"
            if reason in ("ImagePullBackOff", "ErrImagePull"):
                return "trying and failing to pull image"
            return reason
    return "ContainerCreating"
