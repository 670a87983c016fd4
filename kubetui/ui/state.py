"""What kubetui remembers between runs that is not configuration (the theme picked with
`:theme`): a small JSON file in $XDG_STATE_HOME/kubetui/, beside the log. A missing or
broken file is an empty memory, never an error."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger("kubetui.ui")


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kubetui"


def load() -> dict:
    try:
        data = json.loads((state_dir() / "state.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.error("cannot read %s; starting without it", state_dir() / "state.json",
                  exc_info=True)
        return {}
    return data if isinstance(data, dict) else {}


def remember(**values) -> None:
    path = state_dir() / "state.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**load(), **values}, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        log.error("cannot write %s", path, exc_info=True)
