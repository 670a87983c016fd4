"""Exec into containers over the official client's websocket stream (no kubectl needed):
a one-shot command that returns stdout, stderr and the exit code, and an interactive
session (tty, stdin, resize, exit code from the status channel) that tries bash, then sh."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream
from kubernetes.stream.ws_client import RESIZE_CHANNEL, STDIN_CHANNEL

from .client import ApiError, KubeClient, error_from_response

SHELLS = ("bash", "sh")
NOT_A_SHELL = (126, 127)  # the runtime could not find or run the program


@dataclass(frozen=True)
class ExecResult:
    stdout: str
    stderr: str
    code: int


def _api_error(exc: ApiException) -> ApiError:
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


def _open(client: KubeClient, namespace: str, pod: str, command: list[str],
          container: str | None, stdin: bool, tty: bool, binary: bool = False):
    try:
        return stream(CoreV1Api(client.api).connect_get_namespaced_pod_exec, pod, namespace,
                      command=command, container=container, stdin=stdin, stdout=True,
                      stderr=not tty, tty=tty, _preload_content=False, binary=binary)
    except ApiException as exc:
        raise _api_error(exc) from exc


def exec_once(client: KubeClient, namespace: str, pod: str, command: list[str],
              container: str | None = None, stdin: str | None = None,
              timeout: float = 60) -> ExecResult:
    """Run a command to its end; its output and exit code."""
    ws = _open(client, namespace, pod, command, container, stdin is not None, tty=False)
    try:
        if stdin is not None:
            ws.write_stdin(stdin)
            ws.close_channel(STDIN_CHANNEL)
        ws.run_forever(timeout=timeout)
        if ws.is_open():
            raise TimeoutError(f"the command did not finish within {timeout:.0f}s")
        return ExecResult(ws.read_stdout(timeout=0) or "", ws.read_stderr(timeout=0) or "",
                          ws.returncode or 0)
    finally:
        ws.close()


class ExecSession:
    """An interactive terminal in a container: write keys, read output, resize."""

    probe_seconds = 1.0

    def __init__(self, client: KubeClient, namespace: str, pod: str,
                 container: str | None = None, shells: tuple[str, ...] = SHELLS):
        self.client, self.namespace, self.pod = client, namespace, pod
        self.container, self.shells = container, shells
        self.shell = ""
        self._ws = None
        self._pending = b""

    def open(self, cols: int = 80, rows: int = 24) -> "ExecSession":
        """Start the first shell the container has; raise ApiError if none runs."""
        tried = []
        for shell in self.shells:
            ws = _open(self.client, self.namespace, self.pod, [shell], self.container,
                       stdin=True, tty=True, binary=True)
            ws.write_channel(RESIZE_CHANNEL, json.dumps({"Width": cols, "Height": rows}))
            # A missing shell prints the runtime's error and ends with 126/127 at once;
            # a real one prints a prompt and stays. Watch briefly to tell which.
            end = time.monotonic() + self.probe_seconds
            out = b""
            while ws.is_open() and time.monotonic() < end:
                ws.update(timeout=0.05)
                out += ws.read_stdout(timeout=0) or b""
                if out and time.monotonic() > end - self.probe_seconds + 0.3:
                    break
            if not ws.is_open() and (ws.returncode or 0) in NOT_A_SHELL:
                tried.append(shell)
                ws.close()
                continue
            self.shell, self._ws, self._pending = shell, ws, out
            return self
        raise ApiError(400, "BadRequest", f"no shell in {self.namespace}/{self.pod}: tried "
                                          f"{', '.join(tried)}")

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self._ws.is_open()

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        self._ws.write_channel(STDIN_CHANNEL, data)

    def read(self, timeout: float = 0.1) -> bytes:
        """What the terminal printed since the last read (b"" if nothing yet)."""
        out, self._pending = self._pending, b""
        if self._ws.is_open():
            self._ws.update(timeout=timeout)
        return out + (self._ws.read_stdout(timeout=0) or b"")

    def resize(self, cols: int, rows: int) -> None:
        if self.is_open:
            self._ws.write_channel(RESIZE_CHANNEL, json.dumps({"Width": cols, "Height": rows}))

    @property
    def returncode(self) -> int | None:
        if self._ws is None or self._ws.is_open():
            return None
        try:
            return self._ws.returncode
        except (ValueError, KeyError, TypeError):
            return None

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()


__all__ = ["ExecResult", "ExecSession", "exec_once"]
