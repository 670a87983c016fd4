"""Editing an object as `kubectl edit` does, less the terminal: the object as YAML (no
managedFields, no status) under kubectl's comment header; what the user saved is read
back (comment lines dropped), checked with a server-side dry run, shown as a diff, then
written with PUT at the resourceVersion it was read at. A conflict (409) gives the
server's new version with the user's change applied; a YAML error or a 422 comes back
with the error as a comment at the top, as kubectl reopens its editor. Also
`apply_files`: server-side apply of manifests (field manager `kubetui`) after a dry run
of each. No Textual here: ui/actions/edit.py drives it."""

from __future__ import annotations

import copy
import difflib
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

import yaml

from kubetui.render.json_types import Obj

from .client import ApiError, KubeClient
from .discovery import kind_of_resource
from .kinds import KINDS, Kind

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this "
          "file will be\n# reopened with the relevant failures.\n#\n")
CANCELLED = "Edit cancelled, no changes made."
APPLY = "application/apply-patch+yaml"
MANAGER = "kubetui"


def editor_command() -> list[str]:
    """KUBE_EDITOR, then EDITOR, else vi (as kubectl), split as a shell would."""
    return shlex.split(os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi")


def editable(obj: Obj) -> Obj:
    """What the user edits: no status, no managedFields."""
    out = copy.deepcopy(obj)
    out.pop("status", None)
    (out.get("metadata") or {}).pop("managedFields", None)
    return out


def to_yaml(obj: Obj) -> str:
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True)


def strip_comments(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))


def comment(lines: list[str]) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def error_header(what: str, problems: list[str]) -> str:
    """kubectl's header for a failed save: the object, then each problem."""
    return HEADER + comment([what, *(f"* {p}" for p in problems), ""])


class Unchanged(Exception):
    """The file came back unchanged or empty: nothing to do."""


def read_back(text: str, original: Obj) -> Obj:
    """The saved object; Unchanged when empty or as it was; yaml.YAMLError or
    ValueError when it is not one object."""
    body = strip_comments(text)
    if not body.strip():
        raise Unchanged(CANCELLED)
    data = yaml.safe_load(body)
    if not isinstance(data, dict):
        raise ValueError("the file must hold one object (a YAML mapping)")
    if data == editable(original):
        raise Unchanged(CANCELLED)
    return data


@overload
def merge_patch(old: Obj, new: Obj) -> Obj: ...


@overload
def merge_patch(old: object, new: object) -> object: ...


def merge_patch(old: object, new: object) -> object:
    """The JSON merge patch (RFC 7386) that turns `old` into `new`."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    out: Obj = {k: None for k in old if k not in new}
    for k, v in new.items():
        if k not in old:
            out[k] = v
        elif old[k] != v:
            out[k] = merge_patch(old[k], v)
    return out


@overload
def apply_merge(target: Obj, patch: Obj) -> Obj: ...


@overload
def apply_merge(target: object, patch: object) -> object: ...


def apply_merge(target: object, patch: object) -> object:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out: Obj = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = apply_merge(out.get(k), v)
    return out


def diff(before: Obj, after: Obj, names: tuple[str, str] = ("live", "edited")) -> str:
    """A unified diff of two objects' YAML, the noise the server adds left out."""
    def text(obj: Obj) -> list[str]:
        obj = editable(obj)
        meta = obj.get("metadata") or {}
        for k in ("resourceVersion", "generation", "creationTimestamp", "uid"):
            meta.pop(k, None)
        return to_yaml(obj).splitlines(keepends=True)
    return "".join(difflib.unified_diff(text(before), text(after), *names))


@dataclass
class Edit:
    """One edit session: `obj` is the version read (its resourceVersion is the one
    written at), `text` what goes into the editor next."""

    client: KubeClient
    kind: Kind
    namespace: str | None
    name: str
    obj: Obj = field(default_factory=dict)  # empty until load()
    text: str = ""

    @property
    def path(self) -> str:
        return self.kind.path(self.namespace, self.name)

    def load(self) -> None:
        self.obj = self.client.get_json(self.path)
        self.text = HEADER + to_yaml(editable(self.obj))

    def _put(self, edited: Obj, dry: bool) -> Obj:
        body = copy.deepcopy(edited)
        body.setdefault("metadata", {})["resourceVersion"] = \
            self.obj["metadata"]["resourceVersion"]
        if "status" in self.obj:  # PUT replaces the object: the status the server has
            body["status"] = self.obj["status"]
        return self.client.send_json("PUT", self.path, body,
                                     {"dryRun": "All"} if dry else None)

    def check(self, saved: str) -> tuple[Obj, Obj] | None:
        """The saved text against a dry run: (edited, what the server would store), or
        None when the editor must open again (self.text says why). Raises Unchanged."""
        try:
            edited = read_back(saved, self.obj)
        except (yaml.YAMLError, ValueError) as exc:
            self.text = error_header("The edited file had a syntax error:",
                                     str(exc).splitlines()) + strip_comments(saved)
            return None
        try:
            return edited, self._put(edited, dry=True)
        except ApiError as exc:
            if not self._reopen(exc, edited, saved):
                raise
            return None

    def save(self, edited: Obj) -> Obj | None:
        """Write it; None when the editor must open again (a conflict meanwhile)."""
        try:
            return self._put(edited, dry=False)
        except ApiError as exc:
            if not self._reopen(exc, edited, ""):
                raise
            return None

    def _reopen(self, exc: ApiError, edited: Obj, saved: str) -> bool:
        """Prepare the editor's next text for a 409 or a 422/400; False for the rest."""
        what = f'{self.kind.plural}{"." + self.kind.group if self.kind.group else ""} ' \
               f'"{self.name}"'
        if exc.status == 409:
            change = merge_patch(editable(self.obj), edited)
            if isinstance(change.get("metadata"), dict):
                change["metadata"].pop("resourceVersion", None)
            self.obj = self.client.get_json(self.path)
            merged = apply_merge(editable(self.obj), change)
            self.text = HEADER + comment([
                f"{what} was changed on the server since you opened it ({exc.message}).",
                "Below is the server's new version with your change applied: save to "
                "write it, or empty the file to cancel.", ""]) + to_yaml(merged)
            return True
        if exc.status in (400, 422):
            problems = exc.causes and [f"{c}" for c in _field_causes(exc)] or [exc.message]
            self.text = error_header(f"{what} was not valid:", problems) + (
                strip_comments(saved) if saved else to_yaml(edited))
            return True
        return False


def _field_causes(exc: ApiError) -> list[str]:
    return [f"{c.get('field')}: {c.get('message')}" if c.get("field") else c.get("message", "")
            for c in exc.details.get("causes") or () if isinstance(c, dict)]


# -- :apply FILE|DIR
def manifests(target: str) -> list[Obj]:
    """Every object in a YAML file, or in the .yaml/.yml/.json files of a folder."""
    path = Path(target).expanduser()
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json")) \
        if path.is_dir() else [path]
    out: list[Obj] = []
    for f in files:
        for doc in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "List":
                out.extend(i for i in doc.get("items") or () if isinstance(i, dict))
            elif isinstance(doc, dict):
                out.append(doc)
            elif doc is not None:
                raise ValueError(f"{f}: a document is not an object")
    return out


@dataclass
class Planned:
    obj: Obj
    kind: Kind
    namespace: str | None
    live: Obj | None  # None: created
    result: Obj  # what the dry run says the server would store

    @property
    def label(self) -> str:
        name = self.obj["metadata"]["name"]
        where = f"{self.namespace}/{name}" if self.namespace else name
        return f"{self.kind.kind.lower()} {where}"


def apply_path(kind: Kind, namespace: str | None, obj: Obj) -> str:
    return kind.path(namespace, obj["metadata"]["name"])


def resolve_kind(client: KubeClient, obj: Obj, served: dict[str, list[Obj]]) -> Kind:
    """A manifest's kind by its apiVersion and kind, as kubectl's REST mapping finds it:
    a built-in one of that version, else what the server's discovery of that group
    version serves (a CRD's, an older version of a built-in). `served`: the resource
    lists already read, by group version. kubetui had known only its built-in kinds, so
    `:apply` refused every custom resource."""
    name, api_version = str(obj.get("kind") or ""), str(obj.get("apiVersion") or "")
    builtin = KINDS.get(name)
    if builtin is not None and builtin.api_version == api_version:
        return builtin
    group, _, version = api_version.rpartition("/")
    if api_version not in served:
        try:
            served[api_version] = client.get_json(
                f"/apis/{api_version}" if group else f"/api/{api_version}",
                timeout=10).get("resources") or []
        except ApiError as exc:
            if exc.status != 404:  # (404: the server has no such group version)
                raise
            served[api_version] = []
    for r in served[api_version]:
        if r.get("kind") == name and "/" not in str(r.get("name", "")):
            return kind_of_resource(r, group, version)
    raise ValueError(f'no matches for kind "{name}" in version "{api_version}" (ensure '
                     "CRDs are installed first)")


def plan_apply(client: KubeClient, objs: list[Obj], default_ns: str) -> list[Planned]:
    """A server-side apply dry run of each object (errors raise, naming the object)."""
    out = []
    served: dict[str, list[Obj]] = {}  # group version -> its resources, read once
    for obj in objs:
        kind = resolve_kind(client, obj, served)
        ns = ((obj.get("metadata") or {}).get("namespace") or default_ns) \
            if kind.namespaced else None
        path = apply_path(kind, ns, obj)
        try:
            live = client.get_json(path)
        except ApiError as exc:
            if exc.status != 404:
                raise
            live = None
        result = client.send_json("PATCH", path, obj, {"fieldManager": MANAGER,
                                                       "dryRun": "All"}, content_type=APPLY)
        out.append(Planned(obj, kind, ns, live, result))
    return out


def apply(client: KubeClient, planned: Planned) -> Obj:
    return client.send_json("PATCH", apply_path(planned.kind, planned.namespace, planned.obj),
                            planned.obj, {"fieldManager": MANAGER}, content_type=APPLY)
