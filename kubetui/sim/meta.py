"""Small helpers for API objects: time stamps, uids, names, copies, errors."""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timezone

import orjson

# k8s.io/apimachinery/pkg/util/rand: the alphabet of generated name suffixes and hashes.
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now_rfc3339(t: float | None = None) -> str:
    t = time.time() if t is None else t
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_micro(t: float | None = None) -> str:
    t = time.time() if t is None else t
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_uid() -> str:
    return str(uuid.uuid4())


def rand_suffix(n: int = 5, rng: random.Random | None = None) -> str:
    choice = (rng or random).choice
    return "".join(choice(SAFE_ALPHABET) for _ in range(n))


def deep_copy(obj):
    """A deep copy of JSON data (much faster than copy.deepcopy)."""
    return orjson.loads(orjson.dumps(obj))


def dig(obj: dict, dotted: str, default=None):
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


class ApiError(Exception):
    """An error the API server answers with a Status object."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self) -> dict:
        out = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if not self.reason:  # the real server leaves an empty reason out
            del out["reason"]
        if self.details is not None:
            out["details"] = self.details
        return out


def details(res, name: str | None, kind: str | None = None) -> dict:
    """A Status's details as the real server writes them: empty fields left out."""
    out = {"name": name, "group": res.group, "kind": kind or res.plural}
    return {k: v for k, v in out.items() if v}


def not_found(res, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{res.qualified} "{name}" not found',
                    details(res, name))


def already_exists(res, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{res.qualified} "{name}" already exists',
                    details(res, name))


def conflict(res, name: str) -> ApiError:
    return ApiError(
        409, "Conflict",
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        details(res, name))


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def invalid(res, name: str, message: str) -> ApiError:
    """422 Invalid as the real server words it: `Deployment.apps "x" is invalid: FIELD:
    WHAT`, with the field error as a cause (FieldValueInvalid, ...)."""
    kind = f"{res.kind}.{res.group}" if res.group else res.kind
    field, _, what = message.partition(": ")
    reason = next((r for prefix, r in CAUSES if what.startswith(prefix)), "FieldValueInvalid")
    out = details(res, name, res.kind)
    out["causes"] = [{"reason": reason, "message": what, "field": field}]
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {message}', out)


CAUSES = (("Invalid value", "FieldValueInvalid"), ("Required value", "FieldValueRequired"),
          ("Unsupported value", "FieldValueNotSupported"), ("Forbidden", "FieldValueForbidden"),
          ("Duplicate value", "FieldValueDuplicate"))
