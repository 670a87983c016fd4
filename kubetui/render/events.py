"""When an Event was first and last seen, and how many times, as kubectl reads it.

Events come in two styles. Components using the old recorder (kubelets, most
controllers) write `count`, `firstTimestamp` and `lastTimestamp`. Components writing
through events.k8s.io/v1 (the scheduler) leave those null: a core/v1 reader sees
`eventTime` (the first occurrence, microseconds) and, once the event repeats,
`series {count, lastObservedTime}`. kubectl's printers and describe honour both; every
reader in kubetui goes through these three functions."""

from __future__ import annotations

from .age import parse_time
from .json_types import Obj


def first_seen(event: Obj) -> str | None:
    """The first occurrence: firstTimestamp, else eventTime."""
    return event.get("firstTimestamp") or event.get("eventTime")


def last_seen(event: Obj) -> str | None:
    """The latest occurrence: the series' lastObservedTime, else lastTimestamp, else the
    first occurrence."""
    series = event.get("series") or {}
    return series.get("lastObservedTime") or event.get("lastTimestamp") or first_seen(event)


def count(event: Obj) -> int:
    """How many times it happened: the series' count, else count, else 1 (a singleton
    through events.k8s.io has no count)."""
    series = event.get("series")
    if series:
        return int(series.get("count") or 1)
    return int(event.get("count") or 1)


def last_seen_time(event: Obj) -> float:
    """last_seen as POSIX seconds (0 when unknown), to sort by; falls back to the
    object's creationTimestamp."""
    return (parse_time(last_seen(event)) or
            parse_time((event.get("metadata") or {}).get("creationTimestamp")) or 0.0)
