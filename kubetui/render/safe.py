"""Text from the server shown harmlessly: a name, an annotation, an event message or a
log line may carry ESC, CSI, OSC 52 (write the clipboard), OSC 0 (the window title) or
BEL. Shown as they are, they would drive the user's terminal. `harmless` makes control
characters visible in caret notation (ESC is ^[); `CONTROL` finds them."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F, which some
# terminals read as ESC + a letter)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _caret(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"^{chr((code + 64) % 128)}" if code < 128 else f"<U+{code:04X}>"


def harmless(text: str) -> str:
    """Control characters made visible: ESC becomes ^[, BEL ^G, DEL ^?."""
    return CONTROL.sub(_caret, text) if CONTROL.search(text) else text


def strip_control(text: str) -> str:
    """Control characters dropped (the last defence, where widths are already laid out)."""
    return CONTROL.sub("", text)


__all__ = ["CONTROL", "harmless", "strip_control"]
