"""Reading the real v1.36.2 API server's answers in fixtures/real-k8s (see its README),
and recovering the "now" a capture was printed at: no file records it, so cells that
depend on it (AGE, LAST SEEN, "5m ago") are matched against the window of moments at
which every such cell of the file reads as the server printed it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kubetui.render.age import parse_time

ROOT = Path(__file__).parent / "fixtures" / "real-k8s"

_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = (365 * 86400, 86400, 3600, 60, 1)


def load(path: str | Path):
    return json.loads((ROOT / path).read_text())


def duration_range(cell: str) -> tuple[float, float] | None:
    """The durations (seconds) that kubectl's HumanDuration prints as `cell`, as a
    half-open range; None when the cell is not a duration."""
    if cell == "0s":
        return (-2.0, 1.0)  # int() truncates toward zero, and -1 still reads 0s
    m = _DURATION.fullmatch(cell or "")
    if not m or not any(m.groups()):
        return None
    parts = [int(g) if g else None for g in m.groups()]
    low = sum(p * u for p, u in zip(parts, _UNITS, strict=False) if p)
    unit = min(u for p, u in zip(parts, _UNITS, strict=False) if p is not None)
    return (float(low), float(low + unit))


class Window:
    """The moments `now` could have been when the server printed a capture."""

    def __init__(self):
        self.low, self.high = float("-inf"), float("inf")

    def narrow(self, stamp: str | None, cell: str) -> None:
        """One timestamp printed as `cell` at `now`."""
        t, span = parse_time(stamp), duration_range(cell)
        if t is None or span is None:
            return
        self.low, self.high = max(self.low, t + span[0]), min(self.high, t + span[1])
        assert self.low < self.high, f"no moment prints {stamp} as {cell}"

    def moments(self, fallback: float, step: float = 0.05, limit: int = 4000) -> list[float]:
        """Moments across the window, first the middle (every one if it is narrow)."""
        if self.low == float("-inf") or self.high == float("inf"):
            return [fallback]
        mid = (self.low + self.high) / 2
        n = min(limit, int((self.high - self.low) / step))
        return [mid] + [self.low + i * step for i in range(n)] + [self.high - 1e-6]


def table_files() -> list[Path]:
    return sorted((ROOT / "tables").glob("*.table-includeObject.json")) + [
        ROOT / "cases" / "cases.table-includeObject.json"]
