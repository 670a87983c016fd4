"""Themes are TOML files: a Textual theme plus kubetui's status colours in [variables].
Shipped ones live in the package; users add theirs in ~/.config/kubetui/themes/."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from textual.theme import Theme

DEFAULT_THEME = "k9s"
# Used when a theme (a built-in Textual one, say) does not set kubetui's variables.
# Literal colours: a default cannot refer to another variable.
VARIABLE_DEFAULTS = {
    "kt-status-ok": "#a0c4e8",
    "kt-status-pending": "#e5c07b",
    "kt-status-error": "#e06c75",
    "kt-status-done": "#7f848e",
    "kt-header": "#ffffff",
    "kt-cursor": "#3a6ea5",
    "kt-panel-text": "#ffffff",
}
_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost")


class ThemeError(Exception):
    pass


def shipped_dir() -> Path:
    """Inside a wheel the themes sit in the package; in a source checkout, beside it."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "themes"
    return packaged if packaged.is_dir() else here.parent / "themes"


def user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kubetui" / "themes"


def load_theme(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"theme {path}: {exc}") from exc
    if not data.get("name") or not data.get("primary"):
        raise ThemeError(f"theme {path}: needs at least 'name' and 'primary'")
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ThemeError(f"theme {path}: [variables] must be a table")
    try:
        colours: dict[str, Any] = {f: str(data[f]) for f in _FIELDS if f in data}
        return Theme(name=str(data["name"]), dark=bool(data.get("dark", True)),
                     variables={str(k): str(v) for k, v in variables.items()}, **colours)
    except Exception as exc:  # Textual validates colours lazily or eagerly by version
        raise ThemeError(f"theme {path}: {exc}") from exc


def discover() -> tuple[list[Theme], list[str]]:
    """Every shipped and user theme; problems come back as messages, not exceptions."""
    themes, problems = [], []
    for folder in (shipped_dir(), user_dir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                themes.append(load_theme(path))
            except ThemeError as exc:
                problems.append(str(exc))
    return themes, problems


# -- readable in every theme: kubetui's colours derived from the theme's own, with
#    WCAG 2 contrast enforced (4.5:1 for text, 3:1 for the health colours of rows)
TEXT_CONTRAST = 4.5
HEALTH_CONTRAST = 3.0
UNVOUCHED = ("ansi-dark", "ansi-light")  # the terminal's palette decides: not offered


def _rgb(color: str) -> tuple[float, float, float]:
    from textual.color import Color
    c = Color.parse(color)
    return c.r / 255, c.g / 255, c.b / 255


def luminance(color: str) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: str, background: str, ratio: float) -> str:
    """`color`, moved toward black or white (whichever the background is further from)
    in small steps until it has `ratio` against `background`; as it is if it has."""
    from textual.color import Color
    if contrast(color, background) >= ratio:
        return color
    target = Color(0, 0, 0) if luminance(background) > 0.18 else Color(255, 255, 255)
    base = Color.parse(color)
    for step in range(1, 21):
        moved = base.blend(target, step / 20).hex
        if contrast(moved, background) >= ratio:
            return moved
    return target.hex


def _blend(a: str, b: str, share: float) -> str:
    from textual.color import Color
    return Color.parse(a).blend(Color.parse(b), share).hex


def kubetui_variables(system: dict[str, str], own: dict[str, str]) -> dict[str, str]:
    """kubetui's variables for a theme: its own where it sets them, else from its
    colours (rows in the foreground colour, pending in its warning colour, ...), each
    made readable against the background."""
    bg, fg = system["background"], system["foreground"]
    want = {
        "kt-status-ok": own.get("kt-status-ok") or fg,
        "kt-status-pending": own.get("kt-status-pending") or system.get("warning", "#e5c07b"),
        "kt-status-error": own.get("kt-status-error") or system.get("error", "#e06c75"),
        "kt-status-done": own.get("kt-status-done") or _blend(fg, bg, 0.45),
        "kt-header": own.get("kt-header") or fg,
    }
    out = {name: readable(color, bg, HEALTH_CONTRAST if name.startswith("kt-status")
                          else TEXT_CONTRAST) for name, color in want.items()}
    # text on panels (the header, titles): the foreground, readable on the panel colour
    out["kt-panel-text"] = readable(fg, system.get("panel", bg), TEXT_CONTRAST)
    # the cursor row: the background colour as text on the cursor colour
    cursor = own.get("kt-cursor") or system.get("primary", "#3a6ea5")
    out["kt-cursor"] = readable(cursor, bg, TEXT_CONTRAST)
    return out


class ReadableThemes:
    """For an App: kubetui's variables in every theme, derived from the theme's colours
    where it does not set them, and readable (a built-in light theme used to get the
    dark-theme row colours)."""

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def get_line_filters(self):
        """Every widget's lines pass the control-character guard (ui/guard.py)."""
        from kubetui.ui.guard import GUARD
        return [*super().get_line_filters(), GUARD]  # type: ignore[misc]

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()  # type: ignore[misc]
        theme = self.current_theme  # type: ignore[attr-defined]  # (the App's)
        variables.update(kubetui_variables(variables, theme.variables))
        self.theme_variables = variables
        return variables
