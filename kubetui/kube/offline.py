"""Saved files as a cluster to read: `kubectl get -o json` output (a List or one object,
any number of files) or a `kubectl cluster-info dump --output-directory` folder (JSON
lists per namespace and `NAMESPACE/POD/logs.txt`). `OfflineClient` answers the GETs
kubetui's readers make (get, list with label and field selectors, pod logs) the way a
server would, 404 for what the files do not hold, and refuses every write, so the
checklist, `kubetui diagnose` and `kubetui report` run over a customer's dump unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from kubetui.render.json_types import Obj

from .client import ApiError, Query, Timeout
from .kinds import KINDS

_CORE = re.compile(r"^/api/v1(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[^/]+)"
                   r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?$")
_GROUP = re.compile(r"^/apis/(?P<group>[^/]+)/(?P<version>[^/]+)(?:/namespaces/(?P<ns>[^/]+))?"
                    r"/(?P<plural>[^/]+)(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?$")
_PLURALS = {k.plural: k.kind for k in KINDS.values()}


def _objects(data: object) -> Iterator[Obj]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        if isinstance(data.get("items"), list):
            list_kind = str(data.get("kind") or "")
            for item in data["items"]:
                if isinstance(item, dict):
                    if not item.get("kind") and list_kind.endswith("List"):
                        item = {**item, "kind": list_kind[:-4]}
                    yield item
        elif data.get("kind") and isinstance(data.get("metadata"), dict):
            yield data


class _Lines:
    """What client.stream() hands back, over text already read."""

    def __init__(self, lines: list[bytes]):
        self._lines = lines

    def lines(self) -> Iterator[bytes]:
        yield from self._lines

    def close(self) -> None:
        pass


def _label_match(selector: str, labels: Obj) -> bool:
    for term in filter(None, (t.strip() for t in re.split(r",(?![^()]*\))", selector))):
        m = re.match(r"^(\S+?)\s+(in|notin)\s+\((.*)\)$", term)
        if m:
            values = {v.strip() for v in m.group(3).split(",")}
            if (labels.get(m.group(1)) in values) != (m.group(2) == "in"):
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _field(obj: Obj, path: str) -> Any:
    cur: Any = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def _field_match(selector: str, obj: Obj) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        negate = "!=" in term
        key, value = term.split("!=" if negate else "=", 1)
        found = str(_field(obj, key.strip().lstrip("=")) or "")
        if (found == value.strip().lstrip("=")) == negate:
            return False
    return True


class OfflineClient:
    """Read-only answers from saved files (see the module's docstring)."""

    def __init__(self, source: str):
        self.source = source
        self.objects: dict[str, list[Obj]] = {}  # kind -> objects
        self.logs: dict[tuple[str, str], str] = {}  # (namespace, pod) -> text
        root = Path(source)
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        if not root.exists():
            raise FileNotFoundError(f"{source} does not exist")
        for path in files:
            if path.suffix == ".json":
                try:
                    data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
                except ValueError as exc:
                    raise ValueError(f"{path}: not JSON ({exc})") from exc
                for obj in _objects(data):
                    self.objects.setdefault(obj["kind"], []).append(obj)
            elif path.name == "logs.txt" and path.parent.parent != root.parent:
                pod, ns = path.parent.name, path.parent.parent.name
                self.logs[(ns, pod)] = path.read_text(encoding="utf-8", errors="replace")

    # -- what KubeClient offers readers
    def _route(self, path: str) -> tuple[str, str | None, str | None, str | None]:
        path = path.split("?", 1)[0]
        if re.match(r"^/api/v1/namespaces/[^/]+$", path):
            return "Namespace", None, path.rsplit("/", 1)[1], None
        m = _CORE.match(path) or _GROUP.match(path)
        if not m or m.group("plural") not in _PLURALS:
            raise ApiError(404, "NotFound", f"{path}: not in the saved files "
                                            f"({self.source})")
        return _PLURALS[m.group("plural")], m.group("ns"), m.group("name"), m.group("sub")

    def get_json(self, path: str, query: Query | None = None, timeout: float = 30) -> Obj:
        kind, ns, name, sub = self._route(path)
        q = {k: v for k, v in (query or {}).items() if v is not None}
        items = [o for o in self.objects.get(kind, ())
                 if ns is None or (o.get("metadata") or {}).get("namespace") == ns]
        if name is not None:
            found = next((o for o in items if o["metadata"].get("name") == name), None)
            if found is None or sub is not None:
                plural = KINDS[kind].plural
                raise ApiError(404, "NotFound", f'{plural} "{name}" not found in the saved '
                                                f"files ({self.source})")
            return found
        if q.get("labelSelector"):
            items = [o for o in items if _label_match(
                str(q["labelSelector"]), (o.get("metadata") or {}).get("labels") or {})]
        if q.get("fieldSelector"):
            items = [o for o in items if _field_match(str(q["fieldSelector"]), o)]
        return {"kind": f"{kind}List", "apiVersion": KINDS[kind].api_version,
                "metadata": {}, "items": items}

    def request(self, method: str, path: str, query: Query | None = None, body: Any = None,
                content_type: str | None = None, timeout: Timeout = 30,
                accept: str = "application/json") -> bytes:
        if method != "GET":
            raise ApiError(405, "MethodNotAllowed", "saved files are read-only")
        return json.dumps(self.get_json(path)).encode()

    def send_json(self, method: str, path: str, body: Any = None, query: Query | None = None,
                  content_type: str = "application/json", timeout: float = 30) -> Obj:
        raise ApiError(405, "MethodNotAllowed", "saved files are read-only")

    def stream(self, path: str, query: Query | None = None, timeout: Timeout = (10, 330),
               accept: str = "application/json") -> _Lines:
        kind, ns, name, sub = self._route(path)
        if kind != "Pod" or sub != "log":
            raise ApiError(404, "NotFound", f"{path}: nothing to stream from saved files")
        if (query or {}).get("previous"):
            raise ApiError(404, "NotFound", f"the saved files hold no previous logs of {name}")
        text = self.logs.get((ns or "", name or ""))
        if text is None:
            raise ApiError(404, "NotFound", f"the saved files hold no logs of {ns}/{name}")
        lines = [line.encode() for line in text.splitlines()]
        tail = (query or {}).get("tailLines")
        return _Lines(lines[-int(tail):] if tail else lines)

    def version(self) -> Obj:
        return {"gitVersion": f"(saved files: {self.source})"}

    def close(self) -> None:
        pass


__all__ = ["OfflineClient"]
