"""`~/.config/kubetui/config.toml`:

    theme = "k9s"
    readonly = false
    refresh_hz = 30                      # how often to look for changes (paints only then)
    favorites = ["shop", "payments"]     # namespaces on keys 1-9 (0 is all)
    debug_image = "busybox:1.36"         # the checklist's node debug pod

    [contexts.prod]
    namespace = "payments"               # where this context opens

    [keymap]                             # binding id = keys
    "browser.describe" = "D"

    [lint]                               # parsed by diagnose.lint.LintConfig.from_table
    disabled = ["latest-tag"]

A broken file is reported and ignored, never fatal."""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

MAX_FAVORITES = 9  # keys 1-9


class ContextFile(msgspec.Struct, forbid_unknown_fields=True):
    """`[contexts.NAME]`"""
    namespace: str | None = None


class ConfigFile(msgspec.Struct, forbid_unknown_fields=True):
    """The file's schema. `contexts` and `keymap` are checked entry by entry, so that an
    error names the entry (msgspec says only `[...]` inside a dict)."""
    theme: str | None = None
    readonly: bool = False
    refresh_hz: float = 30.0
    favorites: list[str] = []
    debug_image: str = "busybox:1.36"
    contexts: dict[str, Any] = {}
    keymap: dict[str, Any] = {}
    lint: dict[str, Any] = {}  # parsed and checked by diagnose.lint.LintConfig


@dataclass
class Config:
    theme: str | None = None
    readonly: bool = False
    refresh_hz: float = 30.0
    favorites: list[str] = field(default_factory=list)
    context_namespaces: dict[str, str] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    debug_image: str = "busybox:1.36"
    lint: dict = field(default_factory=dict)  # the [lint] table, as it is
    problems: list[str] = field(default_factory=list)
    path: str = ""


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kubetui" / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: config_path()). Nothing here raises: a file that
    cannot be read, is not UTF-8 or is not TOML gives the defaults; a value of the wrong
    type or an unknown key is ignored alone. Each is a line in `problems`."""
    path = path or config_path()
    cfg = Config(path=str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return cfg
    except OSError as exc:
        cfg.problems.append(f"{path}: cannot be read ({exc.strerror or exc}); "
                            "using the defaults")
        return cfg
    try:
        text = raw.decode("utf-8-sig")  # (a byte order mark some editors write is fine)
    except UnicodeDecodeError as exc:
        cfg.problems.append(f"{path}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                            f"{exc.start}); using the defaults")
        return cfg
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        cfg.problems.append(f"{path}: not valid TOML: {exc}; using the defaults")
        return cfg

    def problem(where: str, what: str) -> None:
        cfg.problems.append(f"{path}: {where}: {what}; ignored")

    top = _convert(data, ConfigFile, "", problem)
    cfg.theme, cfg.readonly, cfg.debug_image = top.theme, top.readonly, top.debug_image
    cfg.lint = dict(top.lint)
    hz = top.refresh_hz
    if not math.isfinite(hz):
        problem("refresh_hz", "expected a number")
        hz = 30.0
    elif not 1.0 <= hz <= 60.0:
        hz = min(max(hz, 1.0), 60.0)
        cfg.problems.append(f"{path}: refresh_hz: {top.refresh_hz:g} is outside 1-60; "
                            f"using {hz:g}")
    cfg.refresh_hz = hz
    cfg.favorites = top.favorites[:MAX_FAVORITES]
    if len(top.favorites) > MAX_FAVORITES:
        cfg.problems.append(f"{path}: favorites: only the first {MAX_FAVORITES} are used "
                            f"(keys 1-{MAX_FAVORITES})")
    for name, value in top.contexts.items():
        entry = _convert(value, ContextFile, f"contexts.{name}", problem)
        if entry is not None and entry.namespace:
            cfg.context_namespaces[name] = entry.namespace
    for binding, keys in top.keymap.items():
        if isinstance(keys, str):
            cfg.keymap[binding] = keys
        else:
            problem(f"keymap.{binding}", f"expected str, got {_toml_type(keys)}")
    return cfg


_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<at>.*)`)?$", re.S)
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<key>[^`]*)`")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _convert(data: Any, schema: type, prefix: str, problem):
    """`data` as `schema`; each value msgspec rejects is reported (with its path) and
    dropped, and the rest converted again, so one mistake costs only itself. A value
    that is not a table at all gives the schema's defaults (or None for an entry)."""
    if not isinstance(data, dict):
        problem(prefix, f"expected a table, got {_toml_type(data)}")
        return None if prefix else schema()
    data = _copy(data)
    while True:
        try:
            return msgspec.convert(data, schema)
        except msgspec.ValidationError as exc:
            m = _AT.match(str(exc))
            if m is None:
                raise
            what, at = m.group("what"), m.group("at") or ""
            steps: list[str | int] = [a or int(b) for a, b in _STEP.findall(at)]
            unknown = _UNKNOWN.match(what)
            if unknown:
                steps.append(unknown.group("key"))
                what = "unknown key"
            else:
                what = _plain(what)
            if not steps or not _drop(data, steps):  # cannot say where: give up on it
                problem(prefix or "(file)", what)
                return None if prefix else schema()
            where = ".".join(p for p in [prefix, _path(steps)] if p)
            problem(where, what)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _drop(data: Any, steps: list[str | int]) -> bool:
    """Remove the value at `steps` from nested dicts and lists."""
    for step in steps[:-1]:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        del data[steps[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _path(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _plain(message: str) -> str:
    """msgspec's 'Expected `str | null`, got `int`' in TOML's words."""
    message = message.replace("`", "").replace(" | null", "").replace("array", "list")
    message = message.replace("object", "table")
    return message[:1].lower() + message[1:]


def _toml_type(value: Any) -> str:
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str"),
                       (list, "list"), (dict, "table")):
        if isinstance(value, kind):
            return name
    return type(value).__name__
