"""Exec into containers over the official client's websocket stream (no kubectl needed):
a one-shot command that returns stdout, stderr and the exit code, and an interactive
session (tty, stdin, resize, exit code from the status channel) that tries bash, then sh.

Every way an exec can fail reaches the caller as an `ApiError` with the server's words:
a refused upgrade (HTTP 500 "error dialing backend: ..." over v4), a Status on the error
channel (v5 answers 101, then "Internal error occurred: error sending request: ..." when
the kubelet cannot be reached), or a stream that closes under us."""

from __future__ import annotations

import json
import re
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AnyStr, Generic, Literal, Protocol, overload

import orjson
from websocket import WebSocket, WebSocketException

from .client import ApiError, KubeClient, error_from_response

if TYPE_CHECKING:
    from kubernetes.client.exceptions import ApiException

# the channels of the websocket exec protocol (kubernetes.stream.ws_client's numbers)
STDIN_CHANNEL, ERROR_CHANNEL, RESIZE_CHANNEL = 0, 3, 4

SHELLS = ("bash", "sh")
NOT_A_SHELL = (126, 127)  # the runtime could not find or run the program
_BROKEN = (WebSocketException, OSError)  # what the websocket raises when the stream is gone


class NoShell(ApiError):
    """The container's image has no shell (distroless): a debug container can help."""


@dataclass(frozen=True)
class ExecResult:
    stdout: str
    stderr: str
    code: int


def upgrade_error(exc: ApiException) -> ApiError:  # (the official client's)
    """The server's Status from a failed exec upgrade. The websocket client reports it
    as status 0 with "Handshake status N ... -+-+- {headers} -+-+- {body}" as reason."""
    body = exc.body.encode() if isinstance(exc.body, str) else (exc.body or b"")
    status = exc.status or 0
    reason = str(exc.reason or "")
    if not body and "-+-+-" in reason:
        body = reason.rsplit("-+-+-", 1)[1].strip().encode()
    match = re.search(r"Handshake status (\d+)", reason)
    if match and not status:
        status = int(match.group(1))
    return error_from_response(status or 500, body or reason.encode())


def exit_code(status: bytes | str | None) -> int | None:
    """The exit code a channel-3 Status reports: 0 for Success, N for NonZeroExitCode;
    None when there is no Status yet. Any other Status (the kubelet could not be reached,
    the container is gone) is the server's error, raised as ApiError."""
    if not status:
        return None
    try:
        data = orjson.loads(status)
    except orjson.JSONDecodeError:
        raise ApiError(500, "", f"the exec stream ended with an unreadable status: "
                                f"{status[:200]!r}") from None
    if not isinstance(data, dict):
        raise ApiError(500, "", f"the exec stream ended with an unreadable status: {data!r}")
    if data.get("status") == "Success":
        return 0
    causes = (data.get("details") or {}).get("causes") or ()
    if data.get("reason") == "NonZeroExitCode":
        for cause in causes:
            if isinstance(cause, dict) and cause.get("reason") == "ExitCode":
                try:
                    return int(cause.get("message", ""))
                except ValueError:
                    break
    raise ApiError(int(data.get("code") or 500), str(data.get("reason") or ""),
                   str(data.get("message") or "the exec failed with no message"))


class _WSClient(Protocol):
    """What is used of the official client's WSClient (kubernetes.stream.ws_client,
    untyped): the websocket, its channels, and the flag it keeps for "open"."""

    sock: WebSocket
    _connected: bool

    def is_open(self) -> bool: ...

    def update(self, timeout: float = 0) -> None: ...

    def write_channel(self, channel: int, data: bytes | str) -> None: ...

    # str for a stream opened as text, bytes for a binary one (see _Stream)
    def read_channel(self, channel: int, timeout: float = 0) -> Any: ...

    def close_channel(self, channel: int) -> None: ...

    def close(self, **kwargs: Any) -> None: ...


class _Stream(Generic[AnyStr]):
    """The client's WSClient, with its failures turned into ApiError. What it reads is
    AnyStr: str for a stream opened as text, bytes for a binary one (`_open`)."""

    def __init__(self, ws: _WSClient) -> None:
        self.ws = ws
        self._code: int | None = None

    @property
    def socket(self) -> socket.socket | None:
        return self.ws.sock.sock

    def is_open(self) -> bool:
        return self.ws.is_open()

    def update(self, timeout: float) -> None:
        try:
            self.ws.update(timeout=timeout)
        except _BROKEN as exc:
            self._lost(exc)

    def write(self, channel: int, data: bytes | str) -> None:
        try:
            self.ws.write_channel(channel, data)
        except _BROKEN as exc:
            self._lost(exc)

    def _lost(self, exc: Exception) -> None:
        """The stream went away: the server's own reason if it sent one, else ours."""
        try:  # frames the server sent before it closed (its Status) may still be buffered
            if self.ws.is_open():
                self.ws.update(timeout=0.05)
        except _BROKEN:
            pass
        self.ws._connected = False  # the client's flag; it keeps no other
        self.returncode()  # raises the server's Status if there is one
        raise ApiError(500, "", f"the exec stream closed: {exc}") from exc

    def read(self, channel: int) -> AnyStr:
        data: AnyStr = self.ws.read_channel(channel)
        return data

    def returncode(self) -> int | None:
        """None while running; the exit code once ended; ApiError for a failed exec."""
        if self.ws.is_open():
            return None
        if self._code is None:
            self._code = exit_code(self.ws.read_channel(ERROR_CHANNEL))
        return self._code

    def close(self) -> None:
        try:
            self.ws.close()
        except _BROKEN:
            pass


@overload
def _open(client: KubeClient, namespace: str, pod: str, command: list[str],
          container: str | None, stdin: bool, tty: bool,
          binary: Literal[False] = False) -> _Stream[str]: ...


@overload
def _open(client: KubeClient, namespace: str, pod: str, command: list[str],
          container: str | None, stdin: bool, tty: bool,
          binary: Literal[True]) -> _Stream[bytes]: ...


def _open(client: KubeClient, namespace: str, pod: str, command: list[str],
          container: str | None, stdin: bool, tty: bool,
          binary: bool = False) -> _Stream[str] | _Stream[bytes]:
    # (the official client takes 0.3 s to import: here, when an exec starts)
    from kubernetes.client import CoreV1Api
    from kubernetes.client.exceptions import ApiException
    from kubernetes.stream import stream

    def opened(api: Any) -> _Stream[Any]:  # (the untyped client's ApiClient)
        ws: _WSClient = stream(  # (the untyped client's WSClient)
            CoreV1Api(api).connect_get_namespaced_pod_exec, pod, namespace,
            command=command, container=container, stdin=stdin, stdout=True,
            stderr=not tty, tty=tty, _preload_content=False, binary=binary)
        return _Stream(ws)

    def error(exc: BaseException) -> ApiError | None:
        if isinstance(exc, ApiException):
            return upgrade_error(exc)
        if isinstance(exc, _BROKEN):
            return ApiError(500, "", f"cannot open the exec stream: {exc}")
        return None

    return client.open_with(opened, error)


def exec_once(client: KubeClient, namespace: str, pod: str, command: list[str],
              container: str | None = None, stdin: str | None = None,
              timeout: float = 60) -> ExecResult:
    """Run a command to its end; its output and exit code."""
    ws = _open(client, namespace, pod, command, container, stdin is not None, tty=False)
    try:
        if stdin is not None:
            ws.write(STDIN_CHANNEL, stdin)
            ws.ws.close_channel(STDIN_CHANNEL)
        deadline = time.monotonic() + timeout
        while ws.is_open() and time.monotonic() < deadline:
            ws.update(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
        if ws.is_open():
            raise TimeoutError(f"no answer within {timeout:.0f}s (the pod's kubelet may be "
                               f"unreachable)")
        code = ws.returncode()
        return ExecResult(ws.read(1) or "", ws.read(2) or "", 0 if code is None else code)
    finally:
        ws.close()


class ExecSession:
    """An interactive terminal in a container: write keys, read output, resize."""

    probe_seconds = 1.0
    answer_seconds = 10.0  # a terminal prints its prompt at once; silence is a dead kubelet

    def __init__(self, client: KubeClient, namespace: str, pod: str,
                 container: str | None = None, shells: tuple[str, ...] = SHELLS):
        self.client, self.namespace, self.pod = client, namespace, pod
        self.container, self.shells = container, shells
        self.shell = ""
        self._ws: _Stream[bytes] | None = None
        self._pending = b""

    def open(self, cols: int = 80, rows: int = 24) -> "ExecSession":
        """Start the first shell the container has; raise ApiError if none runs (the
        server's own message when the exec itself failed)."""
        tried = []
        for shell in self.shells:
            ws = _open(self.client, self.namespace, self.pod, [shell], self.container,
                       stdin=True, tty=True, binary=True)
            try:
                out = self._probe(ws, cols, rows)
                code = ws.returncode()
            except BaseException:
                ws.close()
                raise
            if code in NOT_A_SHELL:
                tried.append(shell)
                ws.close()
                continue
            self.shell, self._ws, self._pending = shell, ws, out
            return self
        raise NoShell(400, "BadRequest", f"no shell in {self.namespace}/{self.pod}: tried "
                                         f"{', '.join(tried)}")

    def _probe(self, ws: _Stream[bytes], cols: int, rows: int) -> bytes:
        """A missing shell prints the runtime's error and ends with 126/127 at once; a
        real one prints a prompt and stays. Watch briefly to tell which."""
        ws.write(RESIZE_CHANNEL, json.dumps({"Width": cols, "Height": rows}))
        start = time.monotonic()
        out = b""
        while ws.is_open() and time.monotonic() < start + self.probe_seconds:
            ws.update(timeout=0.05)
            out += ws.read(1) or b""
            if out and time.monotonic() > start + 0.3:
                break
        while ws.is_open() and not out and time.monotonic() < start + self.answer_seconds:
            ws.update(timeout=0.1)  # no prompt yet: wait for a first word, not for ever
            out += ws.read(1) or b""
        if ws.is_open() and not out:
            raise ApiError(504, "Timeout", f"the terminal in {self.namespace}/{self.pod} "
                           f"printed nothing in {self.answer_seconds:.0f}s: the kubelet of "
                           "its node may be unreachable or stalled")
        return out

    @property
    def socket(self) -> socket.socket | None:
        """The stream's socket, for a select() loop."""
        return self._ws.socket if self._ws is not None else None

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self._ws.is_open()

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        if self._ws is not None:
            self._ws.write(STDIN_CHANNEL, data)

    def read(self, timeout: float = 0.1) -> bytes:
        """What the terminal printed since the last read (b"" if nothing yet)."""
        out, self._pending = self._pending, b""
        if self._ws is None:
            return out
        if self._ws.is_open():
            self._ws.update(timeout=timeout)
        return out + (self._ws.read(1) or b"")

    def resize(self, cols: int, rows: int) -> None:
        if self.is_open and self._ws is not None:
            self._ws.write(RESIZE_CHANNEL, json.dumps({"Width": cols, "Height": rows}))

    @property
    def returncode(self) -> int | None:
        """The shell's exit code once it ended; ApiError if the exec itself failed."""
        return None if self._ws is None else self._ws.returncode()

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()


__all__ = ["ExecResult", "ExecSession", "NoShell", "exec_once", "exit_code"]
