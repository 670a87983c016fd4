"""Where kubetui logs: a file under XDG_STATE_HOME (nothing may print over the TUI).
The TUI and the one-shot commands (`diagnose`, `report`) set it up alike."""

from __future__ import annotations

import logging
import os
from pathlib import Path


def setup_logging() -> None:
    """Logs go to a file: nothing may print over the TUI."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(base) / "kubetui"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(folder / "kubetui.log")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
