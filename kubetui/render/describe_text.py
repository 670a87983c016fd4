"""The pieces `kubectl describe` builds its text from: a writer with kubectl's levels
(two spaces each) whose tab-separated cells are aligned at the end as Go's tabwriter
does, and kubectl's ways of printing labels, annotations, taints, tolerations, times
and booleans."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from .age import parse_time
from .json_types import Any, Obj
from .tabwriter import tabwrite

MAX_ANNOTATION = 140
SKIPPED_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec")
ZERO_TIME = "Mon, 01 Jan 0001 00:00:00 +0000"  # Go's zero time, as kubectl prints it


class Writer:
    """kubectl's PrefixWriter: `write(level, text)` indents by level; `text()` aligns."""

    def __init__(self, tz: tzinfo | None = None):
        self.parts: list[str] = []
        self.tz = tz  # None: the local time zone, as kubectl prints times

    def write(self, level: int, text: str) -> None:
        self.parts.append("  " * level + text)

    def text(self) -> str:
        return tabwrite("".join(self.parts)).removesuffix("\n")

    def time(self, stamp: str | None) -> str:
        """A timestamp in Go's RFC1123Z layout (`Mon, 30 Nov 2026 15:15:12 +0000`)."""
        t = parse_time(stamp)
        if t is None:
            return ZERO_TIME
        d = datetime.fromtimestamp(t, self.tz or timezone.utc)
        if self.tz is None:
            d = d.astimezone()
        offset = d.strftime("%z") or "+0000"
        return (f"{_DAYS[d.weekday()]}, {d.day:02d} {_MONTHS[d.month - 1]} {d.year} "
                f"{d:%H:%M:%S} {offset}")


def go_bool(value: object) -> str:
    """A Go bool printed with %v."""
    return "true" if value else "false"


def labels(w: Writer, title: str, values: Obj | None) -> None:
    """printLabelsMultiline: `key=value`, sorted, one a line; `<none>` when empty."""
    w.write(0, f"{title}:\t")
    values = values or {}
    keys = sorted(values)
    if not keys:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        w.write(0, f"{key}={values[key]}\n")


def annotation_lines(w: Writer, title: str, values: Obj | None) -> None:
    """printAnnotationsMultiline: `key: value`, long or multi-line values below the key."""
    w.write(0, f"{title}:\t")
    values = values or {}
    keys = sorted(k for k in values if k not in SKIPPED_ANNOTATIONS)
    if not keys:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str(values[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                short = line if len(line) <= MAX_ANNOTATION - 2 else \
                    line[:MAX_ANNOTATION - 2] + "..."
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def taint_text(t: Obj) -> str:
    text = str(t.get("key", ""))
    if t.get("value"):
        text += f"={t['value']}"
    return text + (f":{t['effect']}" if t.get("effect") else "")


def taints(w: Writer, title: str, values: list[Any] | None) -> None:
    w.write(0, f"{title}:\t")
    if not values:
        w.write(0, "<none>\n")
        return
    ordered = sorted(values, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, t in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, taint_text(t) + "\n")


def tolerations(w: Writer, title: str, values: list[Any] | None) -> None:
    w.write(0, f"{title}:\t")
    if not values:
        w.write(0, "<none>\n")
        return
    for i, t in enumerate(sorted(values, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, "\t")
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if t.get("key") or t.get("effect") else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")
