"""What `kubetui lint` lints: the objects the enabled rules read, listed once from a
cluster (ConfigMaps and Secrets as metadata only, through the Table API: their data is
never fetched), or read from saved `kubectl get -o json` (or YAML) files."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kubetui.diagnose.lint import KINDS
from kubetui.render.json_types import Obj
from kubetui.render.metrics import Reading

from .client import ApiError, KubeClient
from .kinds import KINDS as API_KINDS
from .lint_feed import WATCH
from .metrics_read import metrics_path, read_metrics
from .paging import read_pages
from .slim import TABLE, decode_table

log = logging.getLogger("kubetui.lint")
EVIDENCE = ("Event",)  # read for evidence only: when it cannot be read, the lint goes on


@dataclass
class Source:
    objects: dict[str, list[Obj]] = field(default_factory=dict)
    metrics: Mapping[str, Reading] | None = None
    unread: dict[str, str] = field(default_factory=dict)  # kind -> why it could not be read
    notes: list[str] = field(default_factory=list)  # what was skipped, and why


def _list(client: KubeClient, kind: str, namespace: str | None) -> list[Obj]:
    k = API_KINDS[kind]
    opts = WATCH.get(kind, {})
    if kind == "Namespace" and namespace:
        try:
            return [client.get_json(k.path(None, namespace))]
        except ApiError as exc:
            if exc.status == 404:
                return []
            raise
    path = k.path(namespace if k.namespaced else None)

    def fetch(token: str | None) -> tuple[list[Obj], Obj]:
        query = {"limit": 500, "continue": token,
                 "fieldSelector": opts.get("field_selector")}
        if opts.get("table"):
            query["includeObject"] = "Metadata"
            page, meta, _ = decode_table(client.request("GET", path, query, accept=TABLE))
            return page, meta
        doc = client.get_json(path, query)
        return doc.get("items") or [], doc.get("metadata") or {}

    return read_pages(fetch)[0]


def fetch(client: KubeClient, namespace: str | None, kinds: set[str]) -> Source:
    """List each kind (in `namespace`, or all), and pod metrics if served."""
    src = Source()
    for kind in KINDS:
        if kind not in kinds:
            continue
        try:
            src.objects[kind] = _list(client, kind, namespace)
        except (ApiError, ValueError) as exc:  # (ValueError: a list that never ends)
            plural = API_KINDS[kind].plural
            log.error("kubetui lint: could not read %s", plural, exc_info=True)
            why = exc.message if isinstance(exc, ApiError) else str(exc)
            if kind in EVIDENCE:
                src.notes.append(f"could not read {plural} ({why}): restarts by "
                                 "liveness probes go unseen")
            else:
                src.unread[plural] = why
    try:
        src.metrics = read_metrics(client, metrics_path("Pod", namespace))
    except (ApiError, ValueError) as exc:
        if not isinstance(exc, ApiError) or exc.status not in (404, 503):  # (not served)
            log.error("kubetui lint: could not read pod metrics", exc_info=True)
            why = exc.message if isinstance(exc, ApiError) else str(exc)
            src.notes.append(f"could not read pod metrics ({why}): usage near memory "
                             "limits goes unseen")
    return src


def _documents(path: Path) -> list[object]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [json.loads(text)]
    return [d for d in yaml.safe_load_all(text) if d]


def read_files(folder: str, namespace: str | None = None) -> Source:
    """Objects from files: lists (`kubectl get ... -o json`, an API list whose items
    carry no kind), single objects, YAML documents; in `namespace` if given."""
    root = Path(folder)
    src = Source()
    if not root.is_dir():
        src.unread[folder] = "no such folder"
        return src
    files = sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
    if not files:
        src.unread[folder] = "no .json or .yaml files in it"
    for path in files:
        try:
            docs = _documents(path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            src.unread[str(path)] = f"not JSON or YAML: {exc}"
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            kind = doc.get("kind") or ""
            items = doc.get("items") if kind.endswith("List") or "items" in doc else None
            for obj in items if items is not None else [doc]:
                if not isinstance(obj, dict):
                    continue
                k = obj.get("kind") or (kind[:-4] if kind.endswith("List") else "")
                if k not in KINDS:
                    continue
                m = obj.get("metadata") or {}
                if namespace and (m.get("name") if k == "Namespace" else
                                  m.get("namespace")) != namespace:
                    continue
                if k == "Event" and obj.get("reason") != "Unhealthy":
                    continue
                src.objects.setdefault(k, []).append(obj)
    return src


__all__ = ["Source", "fetch", "read_files"]
