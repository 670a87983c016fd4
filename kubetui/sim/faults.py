"""Faults on demand, for tests and for people (`kubetui sim --fault ...`): drop every
watch, expire resourceVersions, answer 500 or 429 for N requests, stall responses, go
down and come back with the same state, rotate the admin token, send a watch a line
that is JSON but not an event.

Every method is safe to call from any thread; it acts on the sim's loop."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from .json_body import json_response

log = logging.getLogger("kubetui.sim")

# Paths a fault leaves alone, so kubectl's version probe and health checks still work
# while the resource API misbehaves.
_SPARED = ("/version", "/healthz", "/livez", "/readyz")


class Faults:
    def __init__(self, sim):
        self.sim = sim
        self._errors_left = 0
        self._error: tuple[int, str, str, float | None] | None = None
        self._error_path: str | None = None  # only requests for this path fail
        self._stall_until = 0.0
        self.injected = 0  # error answers given so far (tests read it)
        self._bad_lines: list[bytes] = []  # for the next watches, one each
        self._bad_path: str | None = None
        self.bad_lines_sent = 0  # watches answered with a bad line so far (tests read it)
        sim.request_hooks.append(self._hook)

    # ----------------------------------------------------------------- hook
    async def _hook(self, request: web.Request) -> web.StreamResponse | None:
        if request.path.rstrip("/") in _SPARED:
            return None
        wait = self._stall_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if self._bad_lines and request.method == "GET" and request.query.get("watch") in (
                "1", "true") and (self._bad_path is None or request.path == self._bad_path):
            return await self._bad_watch(request, self._bad_lines.pop(0))
        if self._errors_left > 0 and self._error is not None and (
                self._error_path is None or request.path == self._error_path):
            self._errors_left -= 1
            self.injected += 1
            code, reason, message, retry_after = self._error
            headers = {"Retry-After": str(int(retry_after))} if retry_after else None
            body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": message, "reason": reason, "code": code}
            if code == 429:
                body["details"] = {"retryAfterSeconds": int(retry_after or 1)}
            return json_response(body, code, headers)
        return None

    async def _bad_watch(self, request: web.Request, line: bytes) -> web.StreamResponse:
        """A watch answered 200 whose first line is `line`; the stream then ends."""
        resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(line.rstrip(b"\n") + b"\n")
        self.bad_lines_sent += 1
        await resp.write_eof()
        return resp

    # ------------------------------------------------------------ the faults
    def drop_watches(self) -> None:
        """Cut every open watch stream now (clients see the connection end)."""
        self.sim.call(self.sim.store.drop_watches)

    def expire(self) -> None:
        """Compact the event log: a watch from any version handed out so far gets 410."""
        def run():
            self.sim.store.expire()
            self.sim.store.drop_watches()
        self.sim.call(run)

    def errors(self, count: int, code: int = 500, retry_after: float | None = None,
               path: str | None = None) -> None:
        """Answer the next `count` API requests (to `path` only, when given) with `code`
        (500, 503, 429, ...)."""
        error: tuple[int, str, str, float | None]
        if code == 429:
            error = (429, "TooManyRequests", "the server has received too many requests "
                     "and has asked us to try again later", retry_after or 1)
        elif code == 503:
            error = (503, "ServiceUnavailable", "the server is currently unable to handle "
                     "the request", retry_after)
        else:
            error = (code, "InternalError", "Internal error occurred: injected fault",
                     retry_after)

        def run():
            self._error, self._errors_left, self._error_path = error, count, path
        self.sim.call(run)

    def bad_watch_lines(self, *lines: bytes, path: str | None = None) -> None:
        """The next watches (of `path`, or any) each get one of `lines` as their first
        line, then end: JSON that is not an event (`[]`, `42`) is what a broken proxy or
        server might send."""
        def run():
            self._bad_lines, self._bad_path = list(lines or (b"[]",)), path
        self.sim.call(run)

    def stall(self, seconds: float) -> None:
        """Hold every API request that arrives in the next `seconds` until they pass."""
        def run():
            self._stall_until = time.monotonic() + seconds
        self.sim.call(run)

    def down(self, seconds: float) -> None:
        """Close the port and every connection (clients get 'connection refused'), then
        listen again on the same port after `seconds`, with the same state."""
        loop = self.sim.loop
        asyncio.run_coroutine_threadsafe(self._down(seconds), loop).result(10)

    async def _down(self, seconds: float) -> None:
        sim = self.sim
        await sim.close_listener()
        log.info("sim: down for %.1fs", seconds)

        async def back():
            await asyncio.sleep(seconds)
            await sim.open_listener()
            log.info("sim: back on %s", sim.url)
        asyncio.ensure_future(back())

    def rotate_token(self) -> str:
        """A new admin token: the old one answers 401. Kubeconfig files the sim wrote are
        rewritten with the new token, as an exec plugin would hand out a fresh one."""
        return self.sim.call(self.sim.rotate_admin_token)

    # ------------------------------------------------------- for `kubetui sim`
    def apply_spec(self, spec: str) -> str:
        """Run one fault from its command-line spelling; return what was done."""
        kind, _, arg = spec.partition(":")
        args = [a for a in arg.split(":") if a]
        try:
            if kind == "drop":
                self.drop_watches()
            elif kind == "expire":
                self.expire()
            elif kind in ("500", "503", "429"):
                count = int(args[0]) if args else 5
                retry = float(args[1]) if len(args) > 1 else None
                self.errors(count, int(kind), retry)
            elif kind == "stall":
                self.stall(float(args[0]) if args else 5)
            elif kind == "down":
                self.down(float(args[0]) if args else 5)
            elif kind == "rotate-token":
                self.rotate_token()
            elif kind == "badline":
                self.bad_watch_lines(*[b"[]"] * (int(args[0]) if args else 1))
            else:
                raise ValueError(f"unknown fault {kind!r}")
        except (IndexError, ValueError) as exc:
            raise ValueError(f"bad fault {spec!r}: {exc}; see `kubetui sim --help`") from exc
        return spec


FAULT_HELP = ("a fault to inject, repeatable, as KIND[:ARGS][@EVERY[+FIRST]]: drop (cut "
              "watches), expire (next watch gets 410), 500:N / 503:N / 429:N[:RETRY_AFTER] "
              "(the next N requests fail), stall:SECONDS, down:SECONDS (port closed, then "
              "back), rotate-token, badline:N (the next N watches get `[]`, JSON that is not "
              "an event). @EVERY repeats it every EVERY seconds, the first time after FIRST "
              "seconds (default EVERY); without @, it runs once 10 s after start")


def parse_schedule(spec: str) -> tuple[str, float | None, float]:
    """(the fault, seconds between runs or None for once, seconds to the first run)."""
    fault, _, when = spec.partition("@")
    if not when:
        return fault, None, 10.0
    every_text, plus, first_text = when.partition("+")
    every = _seconds(spec, every_text, "@EVERY")
    first = _seconds(spec, first_text, "+FIRST") if plus else every
    return fault, every, first


def _seconds(spec: str, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"bad fault {spec!r}: {what} {text!r} is not a number of "
                         "seconds") from exc
    if value <= 0:
        raise ValueError(f"bad fault {spec!r}: {what} must be positive")
    return value
