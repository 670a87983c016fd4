"""The shapes render/ takes: objects as the API server sent them (decoded JSON)."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]  # one Kubernetes object, or any JSON object inside one
Body = bytes | bytearray  # a response's JSON (a chunked one is read into a bytearray)

__all__ = ["Any", "Body", "Obj"]
