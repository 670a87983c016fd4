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
    # as kubectl -o yaml prints it (go-yaml): keys sorted at every level (apiVersion and
    # kind first: a pod's came after its spec), lines folded at 80
    return yaml.dump(doc, Dumper=_KubectlDumper, sort_keys=True, default_flow_style=False,
                     width=80, allow_unicode=True)


class _KubectlDumper(yaml.SafeDumper):
    """go-yaml's choice of a string's style: a string with a line break as a literal
    block; one that would read back as something else (a number, a bool, a time, null,
    "") in double quotes; the rest plain, or in single quotes where plain cannot be."""


def _string(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style: str | None = None
    if "\n" in data:
        style = "|"
    elif dumper.resolve(yaml.ScalarNode, data, (True, False)) != STR:  # type: ignore[no-untyped-call]
        style = '"'
    return dumper.represent_scalar(STR, data, style=style)


STR = "tag:yaml.org,2002:str"
_KubectlDumper.add_representer(str, _string)


def secret_keys(obj: Obj) -> list[str]:
    return sorted({*(obj.get("data") or {}), *(obj.get("stringData") or {})})
