"""Text bars: `bar(3, 4, 8)` is "██████░░", with eighth blocks for the fraction, so a
bar moves smoothly as a rollout or a node fills up."""

from __future__ import annotations

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, total: float, width: int) -> str:
    """`value` of `total` as a bar `width` cells wide (empty part shown as ░)."""
    if width <= 0:
        return ""
    share = 0.0 if total <= 0 else max(0.0, min(1.0, value / total))
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text + "░" * (width - len(text))
