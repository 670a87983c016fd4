"""An object as YAML for people: managedFields hidden unless asked for, kubectl's
last-applied annotation folded away, and Secret values masked except the one key the
user chose to reveal."""

from __future__ import annotations

import base64
import copy

import yaml

from .json_types import Obj

MASK = "************"


def object_yaml(obj: Obj, show_managed: bool = False, reveal: str | None = None) -> str:
    doc = copy.deepcopy(obj)
    meta = doc.get("metadata") or {}
    if not show_managed:
        meta.pop("managedFields", None)
    if doc.get("kind") == "Secret":
        meta.get("annotations", {}).pop("kubectl.kubernetes.io/last-applied-configuration",
                                        None)
        for field in ("data", "stringData"):
            values = doc.get(field) or {}
            for key in values:
                if key == reveal:
                    raw = values[key] or ""
                    values[key] = (base64.b64decode(raw).decode("utf-8", "replace")
                                   if field == "data" else raw)
                else:
                    values[key] = MASK
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=120)


def secret_keys(obj: Obj) -> list[str]:
    return sorted({*(obj.get("data") or {}), *(obj.get("stringData") or {})})
