"""The last defence for the terminal: a line filter on every widget's rendered lines
that drops control characters from text segments (kubetui's own escape sequences are
written by the driver, never inside text). Text from the server is made visible where it
is prepared (render.safe.harmless); anything that slipped past is dropped here, so an
annotation or event message can never set the clipboard (OSC 52), the title or ring."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from kubetui.render.safe import CONTROL, strip_control


class ControlFilter(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(not seg.control and CONTROL.search(seg.text) for seg in segments):
            return segments
        return [seg if seg.control else Segment(strip_control(seg.text), seg.style)
                for seg in segments]


GUARD = ControlFilter()

__all__ = ["GUARD", "ControlFilter"]
