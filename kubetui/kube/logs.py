"""Pod log streams as cancellable iterators. Lines are always fetched with timestamps, so
a follow that drops resumes from the last timestamp (`sinceTime`, which has whole-second
precision) and skips what it already gave: no line twice, none lost. Its state is
data: streaming, reconnecting, ended, error."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Iterator

import urllib3

from .client import ApiError, Lines, Reader
from .kinds import KINDS

log = logging.getLogger("kubetui.logs")
STREAMING, RECONNECTING, ENDED, ERROR = "streaming", "reconnecting", "ended", "error"


@dataclass(frozen=True)
class LogLine:
    stamp: str  # RFC3339Nano from the kubelet ("" if the line had none)
    text: str


def split_stamp(raw: bytes) -> LogLine:
    text = raw.decode("utf-8", "replace").rstrip("\r")
    head, sep, rest = text.partition(" ")
    if sep and len(head) >= 20 and head[4] == "-" and head[10] == "T" and head.endswith("Z"):
        return LogLine(head, rest)
    return LogLine("", text)


def _seconds(stamp: str) -> str:
    """An RFC3339Nano stamp cut to the whole second (what sinceTime takes)."""
    return stamp.split(".")[0].rstrip("Z") + "Z"


class LogStream:
    retry_base, retry_max = 0.5, 10.0

    def __init__(self, client: Reader, namespace: str, pod: str, container: str | None = None,
                 follow: bool = False, previous: bool = False, tail: int | None = None,
                 since_seconds: int | None = None, max_retries: int | None = None):
        self.client, self.namespace, self.pod = client, namespace, pod
        self.container, self.follow, self.previous = container, follow, previous
        self.tail, self.since_seconds = tail, since_seconds
        self.max_retries = max_retries
        self.state = STREAMING
        self.error = ""
        self.reconnects = 0
        self._stream: Lines | None = None
        self._cancel = threading.Event()
        self._last = ""  # the last stamp given
        self._at_last = 0  # how many lines with exactly that stamp were given

    def cancel(self) -> None:
        self._cancel.set()
        stream = self._stream
        if stream is not None:
            stream.close()

    def _query(self) -> dict[str, str | int | None]:
        q: dict[str, str | int | None] = {"timestamps": "true", "container": self.container,
                   "follow": "true" if self.follow else None,
                   "previous": "true" if self.previous else None}
        if self._last:
            q["sinceTime"] = _seconds(self._last)
        else:
            q["tailLines"] = self.tail
            q["sinceSeconds"] = self.since_seconds
        return q

    def __iter__(self) -> Iterator[LogLine]:
        path = KINDS["Pod"].path(self.namespace, self.pod, "log")
        failures = 0
        while not self._cancel.is_set():
            try:
                self._stream = self.client.stream(path, self._query(), accept="*/*",
                                                  timeout=(10, None) if self.follow else 60)
                if self._cancel.is_set():  # cancelled while it opened: nothing closed it
                    break
                self.state = STREAMING
                skip_before, skip_same = self._last, self._at_last
                seen_same = 0
                for raw in self._stream.lines():
                    line = split_stamp(raw)
                    if skip_before and line.stamp:
                        if line.stamp < skip_before:
                            continue
                        if line.stamp == skip_before and seen_same < skip_same:
                            seen_same += 1
                            continue
                    if line.stamp:
                        if line.stamp == self._last:
                            self._at_last += 1
                        else:
                            self._last, self._at_last = line.stamp, 1
                    failures = 0
                    yield line
                self.state = ENDED  # the server closed it: the container stopped
                return
            except ApiError as exc:
                self.state, self.error = ERROR, exc.message
                raise
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                if self._cancel.is_set():
                    break
                if not self.follow:
                    self.state, self.error = ERROR, str(exc)
                    raise
                failures += 1
                if self.max_retries is not None and failures > self.max_retries:
                    self.state, self.error = ERROR, str(exc)
                    raise
                self.state = RECONNECTING
                self.reconnects += 1
                log.info("logs %s/%s: %s; reconnecting", self.namespace, self.pod, exc)
                self._cancel.wait(min(self.retry_max, self.retry_base * 2 ** (failures - 1)))
            finally:
                stream, self._stream = self._stream, None
                if stream is not None:
                    stream.close()
        self.state = ENDED
