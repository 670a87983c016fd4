"""Themes are TOML files: a Textual theme plus kubetui's status colours in [variables].
Shipped ones live in the package; users add theirs in ~/.config/kubetui/themes/."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

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
        return Theme(name=str(data["name"]), dark=bool(data.get("dark", True)),
                     variables={str(k): str(v) for k, v in variables.items()},
                     **{f: str(data[f]) for f in _FIELDS if f in data})
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
