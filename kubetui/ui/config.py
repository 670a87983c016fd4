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

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


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
    path = path or config_path()
    cfg = Config(path=str(path))
    if not path.exists():
        return cfg
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        cfg.problems.append(f"{path}: {exc}; using defaults")
        return cfg

    def take(key: str, kind, default):
        value = data.get(key, default)
        if not isinstance(value, kind):
            names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            cfg.problems.append(f"{path}: '{key}' should be {names}; ignored")
            return default
        return value

    cfg.theme = take("theme", str, None)
    cfg.readonly = take("readonly", bool, False)
    hz = take("refresh_hz", (int, float), 30.0)
    cfg.refresh_hz = min(max(float(hz), 1.0), 60.0)
    cfg.favorites = [str(n) for n in take("favorites", list, [])][:9]
    contexts = take("contexts", dict, {})
    cfg.context_namespaces = {name: str(v["namespace"]) for name, v in contexts.items()
                              if isinstance(v, dict) and v.get("namespace")}
    cfg.debug_image = take("debug_image", str, "busybox:1.36")
    cfg.keymap = {str(k): str(v) for k, v in take("keymap", dict, {}).items()}
    cfg.lint = take("lint", dict, {})
    return cfg
