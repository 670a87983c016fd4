"""Kubeconfig as kubectl reads it: KUBECONFIG=a:b:c of split files (one cluster per
file), the first file to define a name wins, and each context remembers its file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from kubetui.render.json_types import Obj


class KubeConfigError(Exception):
    """A kubeconfig problem, said in one line a user can act on."""


class NoKubeConfig(KubeConfigError):
    pass


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str
    user: str
    namespace: str | None
    source: str
    server: str = ""


@dataclass
class KubeConfigSet:
    paths: list[str]
    contexts: dict[str, ContextInfo] = field(default_factory=dict)
    clusters: dict[str, tuple[Obj, str]] = field(default_factory=dict)
    users: dict[str, tuple[Obj, str]] = field(default_factory=dict)
    current_context: str | None = None
    missing: list[str] = field(default_factory=list)
    # what a later file also defined and the first-wins rule hid: (section, name) ->
    # the files whose entry was shadowed (section: "contexts", "clusters", "users")
    shadowed: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def shadows_of(self, context: str) -> list[str]:
        """In words, what later files defined under this context's names and is hidden:
        `context "x" in b.yaml`, `cluster "x" in b.yaml`."""
        ctx = self.contexts.get(context)
        if ctx is None:
            return []
        out = []
        for section, name in (("contexts", context), ("clusters", ctx.cluster),
                              ("users", ctx.user)):
            for path in self.shadowed.get((section, name), ()):
                out.append(f'{section[:-1]} "{name}" in {path}')
        return out

    def context(self, name: str | None = None) -> ContextInfo:
        name = name or self.current_context
        if not name:
            if len(self.contexts) == 1:
                return next(iter(self.contexts.values()))
            raise KubeConfigError(
                "no current context is set; pick one with --context "
                f"(known: {', '.join(sorted(self.contexts)) or 'none'})")
        ctx = self.contexts.get(name)
        if ctx is None:
            raise KubeConfigError(f'context "{name}" is not in {", ".join(self.paths)}')
        if ctx.cluster not in self.clusters:
            raise KubeConfigError(f'context "{name}" (from {ctx.source}) names cluster '
                                  f'"{ctx.cluster}", which no kubeconfig file defines')
        return ctx


def kubeconfig_paths(explicit: Sequence[str] | None = None,
                     env: Mapping[str, str] | None = None,
                     clusters_dir: str | None = None) -> list[str]:
    """Which files to read, in kubectl's order: --kubeconfig, else $KUBECONFIG, else
    ~/.kube/config; then every file of --clusters-dir (one cluster per file), sorted."""
    env = os.environ if env is None else env
    if explicit:
        paths = [str(Path(p).expanduser()) for p in explicit]
    elif env.get("KUBECONFIG"):
        paths = [str(Path(p).expanduser()) for p in env["KUBECONFIG"].split(os.pathsep) if p]
    elif clusters_dir:
        paths = []
    else:
        paths = [str(Path.home() / ".kube" / "config")]
    if clusters_dir:
        folder = Path(clusters_dir).expanduser()
        if not folder.is_dir():
            raise KubeConfigError(f"--clusters-dir {folder}: not a folder")
        paths += [str(p) for p in sorted(folder.iterdir())
                  if p.is_file() and not p.name.startswith(".") and str(p) not in paths]
    return paths


def _read(path: str) -> Obj:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise KubeConfigError(f"{path}: not valid YAML{where}: "
                              f"{getattr(exc, 'problem', None) or exc}") from exc
    except OSError as exc:
        raise KubeConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeConfigError(f"{path}: not a kubeconfig (expected a mapping at the top)")
    return data


def _entries(data: Obj, key: str, path: str) -> list[Obj]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise KubeConfigError(f"{path}: '{key}' must be a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not item.get("name"):
            raise KubeConfigError(f"{path}: an entry in '{key}' has no name")
        out.append(item)
    return out


def load_kubeconfig(paths: Sequence[str]) -> KubeConfigSet:
    """Merge the files; raise NoKubeConfig when none exists, KubeConfigError when one
    is broken (naming the file)."""
    kc = KubeConfigSet(paths=list(paths))
    found = False
    for path in paths:
        if not os.path.exists(path):
            kc.missing.append(path)
            continue
        found = True
        data = _read(path)
        for c in _entries(data, "clusters", path):
            if c["name"] in kc.clusters:  # kubectl's rule: the first file wins
                kc.shadowed.setdefault(("clusters", c["name"]), []).append(path)
            kc.clusters.setdefault(c["name"], (c.get("cluster") or {}, path))
        for u in _entries(data, "users", path):
            if u["name"] in kc.users:
                kc.shadowed.setdefault(("users", u["name"]), []).append(path)
            kc.users.setdefault(u["name"], (u.get("user") or {}, path))
        for c in _entries(data, "contexts", path):
            ctx = c.get("context") or {}
            if c["name"] in kc.contexts:
                kc.shadowed.setdefault(("contexts", c["name"]), []).append(path)
            kc.contexts.setdefault(c["name"], ContextInfo(
                name=c["name"], cluster=ctx.get("cluster", ""), user=ctx.get("user", ""),
                namespace=ctx.get("namespace"), source=path))
        if not kc.current_context and data.get("current-context"):
            kc.current_context = data["current-context"]
    if not found:
        raise NoKubeConfig(f"no kubeconfig found (looked in {', '.join(paths)})")
    for name, ctx in list(kc.contexts.items()):
        cluster = kc.clusters.get(ctx.cluster)
        if cluster:
            kc.contexts[name] = ContextInfo(**{**ctx.__dict__,
                                               "server": cluster[0].get("server", "")})
    return kc
