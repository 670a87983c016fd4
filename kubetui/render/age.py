"""kubectl's ages: `HumanDuration` from k8s.io/apimachinery, and timestamp parsing."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache


# (16,384 stamps: a 10,000-pod view's creation times, sorted by AGE without a parse. At
# 65,536 the cache took an hour of churn's new stamps to fill: the soak's slow creep.)
@lru_cache(maxsize=16384)
def parse_time(stamp: str | None) -> float | None:
    """RFC3339 timestamp -> POSIX seconds; None for missing or malformed input."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


def human_duration(seconds: float) -> str:
    """Exactly apimachinery's duration.HumanDuration (what kubectl prints as AGE)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def next_change(seconds: float) -> float:
    """Seconds until `human_duration(seconds)` may read differently: its unit is the
    second below 10 minutes, the minute below 8 hours, the hour below 8 days, then the
    day (a table redraws its ages only when one on screen would change)."""
    step = 1 if seconds < 600 else 60 if seconds < 8 * 3600 else 3600 \
        if seconds < 8 * 86400 else 86400
    return step - seconds % step if seconds >= 0 else 1.0


def age(stamp: str | None, now: float) -> str:
    """kubectl's translateTimestampSince: '<unknown>' for a missing timestamp."""
    t = parse_time(stamp)
    if t is None:
        return "<unknown>"
    return human_duration(now - t)
