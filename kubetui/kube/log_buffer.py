"""A bounded store of log lines that stays small: lines are kept in blocks of 1,024, and a
full block is zlib-compressed (log text shrinks five to ten times), so a million lines
take tens of megabytes, not hundreds. Lines have absolute numbers that never change;
the oldest blocks fall off when the buffer is full. Reading a line decompresses its
block once (a small LRU holds the blocks being drawn); `scan` reads blocks in order for
filters and searches. Text must already be free of control characters (the separators
are \\x1e and \\x1f)."""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict, deque
from typing import Iterable, Iterator, cast

BLOCK = 1024
_LINE, _FIELD = "\x1e", "\x1f"

Line = tuple[str, str, str]  # source prefix, timestamp, text


class LogBuffer:
    def __init__(self, max_lines: int = 1_000_000, cached_blocks: int = 16):
        self.max_lines = max(max_lines, 2 * BLOCK)  # holds between max - BLOCK and max
        self.first = 0  # the absolute number of the oldest line held
        self.dropped = 0  # lines that fell off the front
        self._blocks: deque[bytes] = deque()  # full blocks, compressed
        self._open: list[Line] = []  # the newest lines, not yet a full block
        self._cache: OrderedDict[int, list[Line]] = OrderedDict()  # block start -> lines
        self._cached = cached_blocks
        self._sources: dict[str, str] = {}  # interned prefixes

    def __len__(self) -> int:
        return len(self._blocks) * BLOCK + len(self._open)

    def __iter__(self) -> Iterator[Line]:
        return (line for _, line in self.scan())

    @property
    def end(self) -> int:
        """The absolute number the next line will get."""
        return self.first + len(self)

    # -- writing
    def append(self, prefix: str, stamp: str, text: str) -> None:
        prefix = self._sources.setdefault(prefix, prefix)
        self._open.append((prefix, stamp, text))
        if len(self._open) == BLOCK:
            self._seal()

    def extend(self, lines: Iterable[Line]) -> None:
        for prefix, stamp, text in lines:
            self.append(prefix, stamp, text)

    def _seal(self) -> None:
        data = _LINE.join(f"{p}{_FIELD}{s}{_FIELD}{t}" for p, s, t in self._open)
        self._blocks.append(zlib.compress(data.encode("utf-8", "surrogatepass"), 1))
        self._open = []
        while (len(self._blocks) + 1) * BLOCK > self.max_lines and self._blocks:
            self._blocks.popleft()
            self._cache.pop(self.first, None)
            self.first += BLOCK
            self.dropped += BLOCK

    def clear(self) -> None:
        self.first = self.end
        self._blocks.clear()
        self._open = []
        self._cache.clear()

    # -- reading
    def _block(self, k: int) -> list[Line]:
        start = self.first + k * BLOCK
        lines = self._cache.get(start)
        if lines is None:
            lines = _decode(self._blocks[k])
            self._cache[start] = lines
            if len(self._cache) > self._cached:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(start)
        return lines

    def get(self, n: int) -> Line:
        """Line number `n` (absolute)."""
        i = n - self.first
        if i < 0 or i >= len(self):
            raise IndexError(n)
        k, j = divmod(i, BLOCK)
        if k == len(self._blocks):
            return self._open[j]
        return self._block(k)[j]

    def scan(self, start: int | None = None, backwards: bool = False,
             hint: re.Pattern[str] | None = None) -> Iterator[tuple[int, Line]]:
        """(number, line) from `start` (default: the oldest, or the newest backwards).
        With `hint`, whole blocks in which the pattern matches nowhere are skipped (a
        selective filter or search over a million lines reads a few blocks, not all)."""
        fold = False
        if hint is not None:
            hint, fold = _block_hint(hint)
        if not len(self):
            return
        if start is None:
            start = self.end - 1 if backwards else self.first
        start = max(self.first, min(start, self.end - 1))
        k, j = divmod(start - self.first, BLOCK)
        while 0 <= k <= len(self._blocks):
            if k == len(self._blocks):
                lines = self._open
            elif (cached := self._cache.get(self.first + k * BLOCK)) is not None:
                lines = cached
            else:
                text = zlib.decompress(self._blocks[k]).decode("utf-8", "surrogatepass")
                skip = hint is not None and not hint.search(text.lower() if fold else text)
                lines = [] if skip else _split(text)
            base = self.first + k * BLOCK
            if backwards:
                for jj in range(min(j, len(lines) - 1), -1, -1):
                    yield base + jj, lines[jj]
                k, j = k - 1, BLOCK - 1
            else:
                for jj in range(j, len(lines)):
                    yield base + jj, lines[jj]
                k, j = k + 1, 0

    def frozen(self) -> "LogBuffer":
        """A read-only copy for another thread to scan while this one grows: it shares
        the compressed blocks (bytes never change) and copies the lists around them."""
        copy = LogBuffer.__new__(LogBuffer)
        copy.max_lines, copy.first, copy.dropped = self.max_lines, self.first, self.dropped
        copy._blocks, copy._open = deque(self._blocks), list(self._open)
        copy._cache, copy._cached, copy._sources = OrderedDict(), self._cached, {}
        return copy

    def compressed_bytes(self) -> int:
        return sum(len(b) for b in self._blocks)


def _decode(block: bytes) -> list[Line]:
    return _split(zlib.decompress(block).decode("utf-8", "surrogatepass"))


def _split(text: str) -> list[Line]:
    return [cast(Line, tuple(line.split(_FIELD, 2))) for line in text.split(_LINE)]


def _block_hint(pattern: re.Pattern[str]) -> tuple[re.Pattern[str] | None, bool]:
    """A pattern for whole blocks, such that "no match in the block" means "no line
    matches" (None where that cannot be had: anchors and lookarounds see line boundaries
    differently), and whether to search the lowercased block instead (a case-blind
    regex is several times slower than searching lowercased text)."""
    text = pattern.pattern
    if any(tok in text for tok in ("^", "$", "\\A", "\\Z", "(?<", "(?=", "(?!")):
        return None, False
    if pattern.flags & re.IGNORECASE and "\\" not in text and "(?" not in text:
        return re.compile(text.lower()), True
    return pattern, False


__all__ = ["BLOCK", "LogBuffer"]
